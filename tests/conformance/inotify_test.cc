// inotify(7): watches on a directory and a file in a scratch directory,
// the events of create/open/modify/close/attrib/rename/delete, move cookies,
// IN_ONESHOT, inotify_rm_watch and IN_IGNORED, readiness, and the errors.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;
using conformance::TempDir;

struct Ev {
  int wd;
  uint32_t mask;
  uint32_t cookie;
  std::string name;
};

std::vector<Ev> ReadEvents(int fd) {
  std::vector<Ev> out;
  alignas(struct inotify_event) char buf[8192];
  ssize_t n = read(fd, buf, sizeof(buf));
  for (ssize_t off = 0; n > 0 && off < n;) {
    struct inotify_event e;
    memcpy(&e, buf + off, sizeof(e));
    std::string name = e.len ? std::string(buf + off + sizeof(e)) : "";
    out.push_back(Ev{e.wd, e.mask, e.cookie, name});
    off += sizeof(e) + e.len;
  }
  return out;
}

std::string Describe(const std::vector<Ev>& evs) {
  std::string s;
  for (const Ev& e : evs) {
    s += std::to_string(e.wd) + ":" + std::to_string(e.mask) + ":" + e.name + " ";
  }
  return s;
}

bool Has(const std::vector<Ev>& evs, int wd, uint32_t mask,
         const std::string& name) {
  for (const Ev& e : evs) {
    if (e.wd == wd && e.mask == mask && e.name == name) return true;
  }
  return false;
}

TEST(InotifyTest, DirectoryEvents) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int in;
  ASSERT_THAT(in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC), SyscallSucceeds());
  FdCloser c(in);
  int wd;
  ASSERT_THAT(wd = inotify_add_watch(in, dir.path().c_str(),
                                     IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                         IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE),
              SyscallSucceeds());
  char buf[64];
  EXPECT_THAT(read(in, buf, sizeof(buf)), SyscallFailsWithErrno(EAGAIN));
  int fd = open(dir.Join("a").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_THAT(write(fd, "x", 1), SyscallSucceeds());
  close(fd);
  ASSERT_THAT(mkdir(dir.Join("sub").c_str(), 0755), SyscallSucceeds());
  ASSERT_THAT(rename(dir.Join("a").c_str(), dir.Join("b").c_str()), SyscallSucceeds());
  ASSERT_THAT(unlink(dir.Join("b").c_str()), SyscallSucceeds());
  ASSERT_THAT(rmdir(dir.Join("sub").c_str()), SyscallSucceeds());
  struct pollfd p = {in, POLLIN, 0};
  EXPECT_THAT(poll(&p, 1, 0), SyscallSucceedsWithValue(1));
  int avail = 0;
  ASSERT_THAT(ioctl(in, FIONREAD, &avail), SyscallSucceeds());
  EXPECT_GT(avail, 0);
  std::vector<Ev> evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd, IN_CREATE, "a")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_MODIFY, "a")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_CLOSE_WRITE, "a")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_CREATE | IN_ISDIR, "sub")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_DELETE, "b")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_DELETE | IN_ISDIR, "sub")) << Describe(evs);
  uint32_t from = 0, to = 0;
  for (const Ev& e : evs) {
    if (e.mask == IN_MOVED_FROM && e.name == "a") from = e.cookie;
    if (e.mask == IN_MOVED_TO && e.name == "b") to = e.cookie;
  }
  EXPECT_NE(from, 0u);
  EXPECT_EQ(from, to);
  // The order is the order things happened in.
  ASSERT_FALSE(evs.empty());
  EXPECT_EQ(evs.front().mask, static_cast<uint32_t>(IN_CREATE));
}

TEST(InotifyTest, FileEventsAndRemoval) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string f = dir.Join("f");
  ASSERT_TRUE(conformance::WriteFile(f, "x"));
  int in = inotify_init1(IN_NONBLOCK);
  ASSERT_GE(in, 0);
  FdCloser c(in);
  int wd;
  ASSERT_THAT(wd = inotify_add_watch(in, f.c_str(),
                                     IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF |
                                         IN_OPEN | IN_CLOSE_NOWRITE),
              SyscallSucceeds());
  // The same file again: the same watch.
  EXPECT_THAT(inotify_add_watch(in, f.c_str(), IN_MODIFY | IN_ATTRIB |
                                                   IN_DELETE_SELF | IN_OPEN |
                                                   IN_CLOSE_NOWRITE),
              SyscallSucceedsWithValue(wd));
  int fd = open(f.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_THAT(chmod(f.c_str(), 0600), SyscallSucceeds());
  ASSERT_THAT(truncate(f.c_str(), 0), SyscallSucceeds());
  std::vector<Ev> evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd, IN_OPEN, "")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_CLOSE_NOWRITE, "")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_ATTRIB, "")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_MODIFY, "")) << Describe(evs);
  ASSERT_THAT(unlink(f.c_str()), SyscallSucceeds());
  evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd, IN_DELETE_SELF, "")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_IGNORED, "")) << Describe(evs);
  EXPECT_THAT(inotify_rm_watch(in, wd), SyscallFailsWithErrno(EINVAL));
}

// Watches belong to the file, not its name: after renames, events come to
// the same watches, a directory's events name the file's new name, and a
// watched file or directory that moves reports IN_MOVE_SELF.
TEST(InotifyTest, WatchesFollowRenames) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_THAT(mkdir(dir.Join("a").c_str(), 0755), SyscallSucceeds());
  ASSERT_TRUE(conformance::WriteFile(dir.Join("a/f"), "x"));
  ASSERT_THAT(mkdir(dir.Join("c").c_str(), 0755), SyscallSucceeds());
  int in = inotify_init1(IN_NONBLOCK);
  ASSERT_GE(in, 0);
  FdCloser c(in);
  int wd_top, wd_a, wd_f;
  ASSERT_THAT(wd_top = inotify_add_watch(in, dir.path().c_str(), IN_MOVE),
              SyscallSucceeds());
  ASSERT_THAT(wd_a = inotify_add_watch(in, dir.Join("a").c_str(),
                                       IN_ALL_EVENTS & ~(IN_ACCESS | IN_OPEN |
                                                         IN_CLOSE_NOWRITE)),
              SyscallSucceeds());
  ASSERT_THAT(wd_f = inotify_add_watch(in, dir.Join("a/f").c_str(),
                                       IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF),
              SyscallSucceeds());

  // The watched directory moves.
  ASSERT_THAT(rename(dir.Join("a").c_str(), dir.Join("b").c_str()), SyscallSucceeds());
  std::vector<Ev> evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd_top, IN_MOVED_FROM | IN_ISDIR, "a")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_top, IN_MOVED_TO | IN_ISDIR, "b")) << Describe(evs);
  // Self events carry no IN_ISDIR.
  EXPECT_TRUE(Has(evs, wd_a, IN_MOVE_SELF, "")) << Describe(evs);

  // Writing the file by its new path reaches both watches.
  int fd = open(dir.Join("b/f").c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  ASSERT_THAT(write(fd, "y", 1), SyscallSucceeds());
  close(fd);
  evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd_a, IN_MODIFY, "f")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_a, IN_CLOSE_WRITE, "f")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_f, IN_MODIFY, "")) << Describe(evs);

  // The watched file is renamed: its directory's events use the new name.
  ASSERT_THAT(rename(dir.Join("b/f").c_str(), dir.Join("b/g").c_str()), SyscallSucceeds());
  ASSERT_THAT(chmod(dir.Join("b/g").c_str(), 0600), SyscallSucceeds());
  evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd_a, IN_MOVED_FROM, "f")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_a, IN_MOVED_TO, "g")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_f, IN_MOVE_SELF, "")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_a, IN_ATTRIB, "g")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_f, IN_ATTRIB, "")) << Describe(evs);

  // Moved to an unwatched directory: the file's own watch still reports,
  // its old directory hears nothing more about it.
  ASSERT_THAT(rename(dir.Join("b/g").c_str(), dir.Join("c/h").c_str()), SyscallSucceeds());
  evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd_a, IN_MOVED_FROM, "g")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_f, IN_MOVE_SELF, "")) << Describe(evs);
  ASSERT_THAT(chmod(dir.Join("c/h").c_str(), 0644), SyscallSucceeds());
  evs = ReadEvents(in);
  ASSERT_EQ(evs.size(), 1u) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_f, IN_ATTRIB, "")) << Describe(evs);

  // The renamed directory goes: IN_DELETE_SELF (no IN_ISDIR), IN_IGNORED.
  ASSERT_THAT(rmdir(dir.Join("b").c_str()), SyscallSucceeds());
  evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd_a, IN_DELETE_SELF, "")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd_a, IN_IGNORED, "")) << Describe(evs);
}

// Watches are per inode: a hard link reaches the same watch, adding a
// watch through the other name gives the same wd, and unlinking one name
// is IN_ATTRIB (the link count), not IN_DELETE_SELF.
TEST(InotifyTest, HardLinksShareTheWatch) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  std::string a = dir.Join("a"), b = dir.Join("b");
  ASSERT_TRUE(conformance::WriteFile(a, "x"));
  ASSERT_THAT(link(a.c_str(), b.c_str()), SyscallSucceeds());
  int in = inotify_init1(IN_NONBLOCK);
  ASSERT_GE(in, 0);
  FdCloser c(in);
  int wd;
  ASSERT_THAT(wd = inotify_add_watch(in, a.c_str(), IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF),
              SyscallSucceeds());
  EXPECT_THAT(inotify_add_watch(in, b.c_str(), IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF),
              SyscallSucceedsWithValue(wd));
  int fd = open(b.c_str(), O_WRONLY | O_APPEND);
  ASSERT_GE(fd, 0);
  ASSERT_THAT(write(fd, "y", 1), SyscallSucceeds());
  close(fd);
  std::vector<Ev> evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd, IN_MODIFY, "")) << Describe(evs);
  ASSERT_THAT(unlink(a.c_str()), SyscallSucceeds());
  evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd, IN_ATTRIB, "")) << Describe(evs);
  EXPECT_FALSE(Has(evs, wd, IN_DELETE_SELF, "")) << Describe(evs);
  ASSERT_THAT(chmod(b.c_str(), 0600), SyscallSucceeds());
  evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd, IN_ATTRIB, "")) << Describe(evs);
  ASSERT_THAT(unlink(b.c_str()), SyscallSucceeds());
  evs = ReadEvents(in);
  EXPECT_TRUE(Has(evs, wd, IN_ATTRIB, "")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_DELETE_SELF, "")) << Describe(evs);
  EXPECT_TRUE(Has(evs, wd, IN_IGNORED, "")) << Describe(evs);
}

TEST(InotifyTest, OneshotAndRmWatch) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int in = inotify_init1(IN_NONBLOCK);
  ASSERT_GE(in, 0);
  FdCloser c(in);
  int wd = inotify_add_watch(in, dir.path().c_str(), IN_CREATE | IN_ONESHOT);
  ASSERT_GE(wd, 0);
  ASSERT_TRUE(conformance::WriteFile(dir.Join("one"), ""));
  ASSERT_TRUE(conformance::WriteFile(dir.Join("two"), ""));
  std::vector<Ev> evs = ReadEvents(in);
  ASSERT_EQ(evs.size(), 2u) << Describe(evs);
  EXPECT_EQ(evs[0].name, "one");
  EXPECT_EQ(evs[1].mask, static_cast<uint32_t>(IN_IGNORED));
  int wd2 = inotify_add_watch(in, dir.path().c_str(), IN_CREATE);
  ASSERT_GE(wd2, 0);
  EXPECT_THAT(inotify_rm_watch(in, wd2), SyscallSucceeds());
  evs = ReadEvents(in);
  ASSERT_EQ(evs.size(), 1u) << Describe(evs);
  EXPECT_EQ(evs[0].wd, wd2);
  EXPECT_EQ(evs[0].mask, static_cast<uint32_t>(IN_IGNORED));
  EXPECT_THAT(inotify_rm_watch(in, wd2), SyscallFailsWithErrno(EINVAL));
  ASSERT_TRUE(conformance::WriteFile(dir.Join("three"), ""));
  char buf[64];
  EXPECT_THAT(read(in, buf, sizeof(buf)), SyscallFailsWithErrno(EAGAIN));
}

TEST(InotifyTest, Errors) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  int in = inotify_init1(IN_NONBLOCK);
  ASSERT_GE(in, 0);
  FdCloser c(in);
  EXPECT_THAT(inotify_init1(0x1234), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(inotify_add_watch(in, dir.path().c_str(), 0),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(inotify_add_watch(in, dir.Join("none").c_str(), IN_MODIFY),
              SyscallFailsWithErrno(ENOENT));
  ASSERT_TRUE(conformance::WriteFile(dir.Join("f"), ""));
  EXPECT_THAT(inotify_add_watch(in, dir.Join("f").c_str(), IN_MODIFY | IN_ONLYDIR),
              SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(inotify_add_watch(-1, dir.path().c_str(), IN_MODIFY),
              SyscallFailsWithErrno(EBADF));
  int p[2];
  ASSERT_THAT(pipe(p), SyscallSucceeds());
  EXPECT_THAT(inotify_add_watch(p[0], dir.path().c_str(), IN_MODIFY),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(inotify_rm_watch(p[0], 1), SyscallFailsWithErrno(EINVAL));
  close(p[0]);
  close(p[1]);
  int wd = inotify_add_watch(in, dir.path().c_str(), IN_CREATE);
  ASSERT_GE(wd, 0);
  EXPECT_THAT(inotify_add_watch(in, dir.path().c_str(), IN_CREATE | IN_MASK_CREATE),
              SyscallFailsWithErrno(EEXIST));
  ASSERT_TRUE(conformance::WriteFile(dir.Join("a-long-enough-name"), ""));
  char small[sizeof(struct inotify_event)];
  EXPECT_THAT(read(in, small, sizeof(small)), SyscallFailsWithErrno(EINVAL));
}

}  // namespace
