// Namespace and attribute system calls on a writable filesystem (a scratch
// directory under /tmp): open(2) creation flags, mkdir(2), rmdir(2),
// unlink(2), rename(2)/renameat2(2), link(2), symlink(2), mknod(2),
// chmod(2), chown(2), utimensat(2), truncate(2), fallocate(2), fsync(2),
// statfs(2), openat2(2), and their Linux error cases.
//
// Permission errors (EACCES/EPERM for an unprivileged caller) are not
// checked: natively and in the sandbox the tests run as root. Nothing here
// touches a path outside its scratch directory for writing: natively that
// would change the host (read-only mounts are checked by the integration
// tests, sandboxed only).
#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/openat2.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include <climits>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::FdCloser;
using conformance::ReadFile;
using conformance::TempDir;
using conformance::WriteFile;
using ::testing::Eq;

std::set<std::string> List(const std::string& dir) {
  std::set<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.insert(n);
  }
  closedir(d);
  return out;
}

class FsOpsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dir_.ok()); }
  std::string P(const std::string& name) const { return dir_.Join(name); }
  TempDir dir_;
};

// ---------------------------------------------------------------- open

TEST_F(FsOpsTest, CreateWriteRead) {
  int fd;
  ASSERT_THAT(fd = open(P("f").c_str(), O_RDWR | O_CREAT | O_EXCL, 0640),
              SyscallSucceeds());
  FdCloser c(fd);
  EXPECT_THAT(write(fd, "hello world", 11), SyscallSucceedsWithValue(11));
  char buf[32] = {};
  EXPECT_THAT(pread(fd, buf, sizeof(buf), 6), SyscallSucceedsWithValue(5));
  EXPECT_STREQ(buf, "world");
  struct stat st;
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 11);
  EXPECT_EQ(st.st_nlink, 1u);
  EXPECT_EQ(ReadFile(P("f")), "hello world");
}

TEST_F(FsOpsTest, CreateErrors) {
  ASSERT_TRUE(WriteFile(P("f"), "x"));
  EXPECT_THAT(open(P("f").c_str(), O_RDWR | O_CREAT | O_EXCL, 0644),
              SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(open(P("nodir/f").c_str(), O_RDWR | O_CREAT, 0644),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(open(P("f/g").c_str(), O_RDWR | O_CREAT, 0644),
              SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(open(P("newdir/").c_str(), O_RDWR | O_CREAT, 0644),
              SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(open(dir_.path().c_str(), O_RDWR), SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(open(dir_.path().c_str(), O_WRONLY | O_CREAT, 0644),
              SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(open(P("g").c_str(), O_RDWR | O_CREAT | O_DIRECTORY, 0644),
              SyscallFailsWithErrno(EINVAL));
  std::string longname(NAME_MAX + 1, 'n');
  EXPECT_THAT(open(P(longname).c_str(), O_RDWR | O_CREAT, 0644),
              SyscallFailsWithErrno(ENAMETOOLONG));
}

TEST_F(FsOpsTest, ExclDoesNotFollowSymlinks) {
  ASSERT_THAT(symlink(P("target").c_str(), P("link").c_str()), SyscallSucceeds());
  EXPECT_THAT(open(P("link").c_str(), O_RDWR | O_CREAT | O_EXCL, 0644),
              SyscallFailsWithErrno(EEXIST));
  // Without O_EXCL the dangling link's target is created.
  int fd;
  ASSERT_THAT(fd = open(P("link").c_str(), O_RDWR | O_CREAT, 0644),
              SyscallSucceeds());
  close(fd);
  struct stat st;
  EXPECT_THAT(stat(P("target").c_str(), &st), SyscallSucceeds());
  EXPECT_THAT(open(P("link").c_str(), O_RDONLY | O_NOFOLLOW),
              SyscallFailsWithErrno(ELOOP));
}

TEST_F(FsOpsTest, UmaskApplies) {
  mode_t old = umask(027);
  int fd = open(P("f").c_str(), O_RDWR | O_CREAT, 0777);
  ASSERT_GE(fd, 0);
  close(fd);
  ASSERT_THAT(mkdir(P("d").c_str(), 0777), SyscallSucceeds());
  umask(old);
  struct stat st;
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  ASSERT_THAT(stat(P("d").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_mode & 07777, 0750u);
}

TEST_F(FsOpsTest, TruncAndAppend) {
  ASSERT_TRUE(WriteFile(P("f"), "0123456789"));
  int fd;
  ASSERT_THAT(fd = open(P("f").c_str(), O_WRONLY | O_APPEND), SyscallSucceeds());
  FdCloser c(fd);
  EXPECT_THAT(write(fd, "ab", 2), SyscallSucceedsWithValue(2));
  EXPECT_THAT(lseek(fd, 0, SEEK_CUR), SyscallSucceedsWithValue(12));
  // O_APPEND writes go to the end wherever the offset is.
  EXPECT_THAT(lseek(fd, 0, SEEK_SET), SyscallSucceedsWithValue(0));
  EXPECT_THAT(write(fd, "cd", 2), SyscallSucceedsWithValue(2));
  EXPECT_EQ(ReadFile(P("f")), "0123456789abcd");
  EXPECT_THAT(fcntl(fd, F_GETFL) & O_APPEND, Eq(O_APPEND));
  int fd2;
  ASSERT_THAT(fd2 = open(P("f").c_str(), O_RDWR | O_TRUNC), SyscallSucceeds());
  close(fd2);
  struct stat st;
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_size, 0);
}

TEST_F(FsOpsTest, TwoDescriptionsShareContents) {
  int a = open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  int b = open(P("f").c_str(), O_RDWR);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  FdCloser ca(a), cb(b);
  EXPECT_THAT(write(a, "abc", 3), SyscallSucceedsWithValue(3));
  char buf[4] = {};
  EXPECT_THAT(read(b, buf, 3), SyscallSucceedsWithValue(3));
  EXPECT_STREQ(buf, "abc");
  // Offsets are per description.
  EXPECT_THAT(lseek(a, 0, SEEK_CUR), SyscallSucceedsWithValue(3));
  EXPECT_THAT(write(b, "XY", 2), SyscallSucceedsWithValue(2));
  EXPECT_THAT(pread(a, buf, 4, 2), SyscallSucceedsWithValue(3));
  EXPECT_EQ(std::string(buf, 3), "cXY");
}

TEST_F(FsOpsTest, LargeFileAndHoles) {
  int fd = open(P("big").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  std::vector<char> block(100000, 'z');
  EXPECT_THAT(pwrite(fd, block.data(), block.size(), 1 << 20),
              SyscallSucceedsWithValue(100000));
  struct stat st;
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_size, (1 << 20) + 100000);
  char b[8];
  EXPECT_THAT(pread(fd, b, 8, 4096), SyscallSucceedsWithValue(8));
  EXPECT_EQ(std::string(b, 8), std::string(8, '\0'));
  EXPECT_THAT(pread(fd, b, 8, (1 << 20) + 99996), SyscallSucceedsWithValue(4));
  EXPECT_THAT(lseek(fd, 0, SEEK_END), SyscallSucceedsWithValue((1 << 20) + 100000));
  EXPECT_THAT(lseek(fd, st.st_size, SEEK_DATA), SyscallFailsWithErrno(ENXIO));
  EXPECT_THAT(lseek(fd, 0, SEEK_HOLE), SyscallSucceeds());
}

// ---------------------------------------------------------------- mkdir/rmdir

TEST_F(FsOpsTest, MkdirRmdir) {
  ASSERT_THAT(mkdir(P("d").c_str(), 0755), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(stat(P("d").c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_nlink, 2u);
  ASSERT_THAT(mkdir(P("d/e").c_str(), 0755), SyscallSucceeds());
  ASSERT_THAT(stat(P("d").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_nlink, 3u);
  EXPECT_THAT(mkdir(P("d").c_str(), 0755), SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(mkdir(P("d/").c_str(), 0755), SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(mkdir(P("x/y").c_str(), 0755), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(mkdir(P("new/").c_str(), 0755), SyscallSucceeds());
  EXPECT_THAT(rmdir(P("d").c_str()), SyscallFailsWithErrno(ENOTEMPTY));
  EXPECT_THAT(rmdir(P("d/e/.").c_str()), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(rmdir(P("d/e/..").c_str()), SyscallFailsWithErrno(ENOTEMPTY));
  EXPECT_THAT(rmdir(P("d/e").c_str()), SyscallSucceeds());
  EXPECT_THAT(rmdir(P("d/").c_str()), SyscallSucceeds());
  EXPECT_THAT(rmdir(P("d").c_str()), SyscallFailsWithErrno(ENOENT));
  ASSERT_TRUE(WriteFile(P("f"), ""));
  EXPECT_THAT(rmdir(P("f").c_str()), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(mkdir(P("f/x").c_str(), 0755), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(mkdir("/", 0755), SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(rmdir("/"), SyscallFailsWithErrno(EBUSY));
  EXPECT_THAT(mkdir("", 0755), SyscallFailsWithErrno(ENOENT));
}

TEST_F(FsOpsTest, MkdiratAndUnlinkat) {
  int dfd = open(dir_.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dfd, 0);
  FdCloser c(dfd);
  ASSERT_THAT(mkdirat(dfd, "sub", 0700), SyscallSucceeds());
  int fd = openat(dfd, "sub/file", O_WRONLY | O_CREAT, 0600);
  ASSERT_GE(fd, 0);
  close(fd);
  EXPECT_THAT(unlinkat(dfd, "sub", 0), SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(unlinkat(dfd, "sub/file", AT_REMOVEDIR),
              SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(unlinkat(dfd, "sub/file", 0x1000), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(unlinkat(dfd, "sub/file", 0), SyscallSucceeds());
  EXPECT_THAT(unlinkat(dfd, "sub", AT_REMOVEDIR), SyscallSucceeds());
  ASSERT_TRUE(WriteFile(P("plain"), ""));
  int ffd = open(P("plain").c_str(), O_RDONLY);
  ASSERT_GE(ffd, 0);
  FdCloser fc(ffd);
  EXPECT_THAT(mkdirat(ffd, "x", 0700), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(mkdirat(-1, "x", 0700), SyscallFailsWithErrno(EBADF));
}

TEST_F(FsOpsTest, RemovedCwdAndOpenDirectory) {
  ASSERT_THAT(mkdir(P("gone").c_str(), 0755), SyscallSucceeds());
  int dfd = open(P("gone").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dfd, 0);
  FdCloser c(dfd);
  ASSERT_THAT(rmdir(P("gone").c_str()), SyscallSucceeds());
  EXPECT_THAT(openat(dfd, "f", O_WRONLY | O_CREAT, 0644),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(mkdirat(dfd, "d", 0755), SyscallFailsWithErrno(ENOENT));
  struct stat st;
  ASSERT_THAT(fstat(dfd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_nlink, 0u);
  char buf[4096];
  EXPECT_THAT(syscall(SYS_getdents64, dfd, buf, sizeof(buf)),
              SyscallFailsWithErrno(ENOENT));
  // A removed working directory: getcwd fails, ".." still works.
  char old[PATH_MAX];
  ASSERT_NE(getcwd(old, sizeof(old)), nullptr);
  ASSERT_THAT(fchdir(dfd), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_getcwd, buf, sizeof(buf)), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(open("newfile", O_RDWR | O_CREAT, 0644), SyscallFailsWithErrno(ENOENT));
  ASSERT_THAT(chdir(old), SyscallSucceeds());
}

// ---------------------------------------------------------------- unlink

TEST_F(FsOpsTest, UnlinkKeepsOpenFiles) {
  ASSERT_TRUE(WriteFile(P("f"), "still here"));
  int fd = open(P("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  ASSERT_THAT(unlink(P("f").c_str()), SyscallSucceeds());
  struct stat st;
  EXPECT_THAT(stat(P("f").c_str(), &st), SyscallFailsWithErrno(ENOENT));
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_nlink, 0u);
  char buf[16] = {};
  EXPECT_THAT(pread(fd, buf, sizeof(buf), 0), SyscallSucceedsWithValue(10));
  EXPECT_STREQ(buf, "still here");
  EXPECT_THAT(write(fd, "more", 4), SyscallSucceedsWithValue(4));
  // The name is free for a new file.
  ASSERT_TRUE(WriteFile(P("f"), "new"));
  EXPECT_EQ(ReadFile(P("f")), "new");
}

TEST_F(FsOpsTest, UnlinkErrors) {
  ASSERT_THAT(mkdir(P("d").c_str(), 0755), SyscallSucceeds());
  ASSERT_TRUE(WriteFile(P("f"), ""));
  EXPECT_THAT(unlink(P("d").c_str()), SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(unlink(P("missing").c_str()), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(unlink(P("f/").c_str()), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(unlink(P("f/x").c_str()), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(unlink(P("d/.").c_str()), SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(unlink(""), SyscallFailsWithErrno(ENOENT));
  // A symlink is removed, not its target.
  ASSERT_THAT(symlink("f", P("l").c_str()), SyscallSucceeds());
  EXPECT_THAT(unlink(P("l").c_str()), SyscallSucceeds());
  struct stat st;
  EXPECT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  ASSERT_THAT(symlink("d", P("ld").c_str()), SyscallSucceeds());
  EXPECT_THAT(rmdir(P("ld").c_str()), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(unlink(P("ld/").c_str()), SyscallFailsWithErrno(ENOTDIR));
}

// ---------------------------------------------------------------- rename

TEST_F(FsOpsTest, RenameFile) {
  ASSERT_TRUE(WriteFile(P("a"), "A"));
  ASSERT_TRUE(WriteFile(P("b"), "B"));
  int fd = open(P("a").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  ASSERT_THAT(rename(P("a").c_str(), P("b").c_str()), SyscallSucceeds());
  EXPECT_EQ(ReadFile(P("b")), "A");
  EXPECT_EQ(List(dir_.path()), (std::set<std::string>{"b"}));
  // The open file follows the rename.
  char path[PATH_MAX] = {};
  std::string fdlink = "/proc/self/fd/" + std::to_string(fd);
  ASSERT_THAT(readlink(fdlink.c_str(), path, sizeof(path)), SyscallSucceeds());
  EXPECT_EQ(std::string(path), P("b"));
  // Renaming onto itself or a hard link of itself does nothing.
  EXPECT_THAT(rename(P("b").c_str(), P("b").c_str()), SyscallSucceeds());
  ASSERT_THAT(link(P("b").c_str(), P("c").c_str()), SyscallSucceeds());
  EXPECT_THAT(rename(P("b").c_str(), P("c").c_str()), SyscallSucceeds());
  EXPECT_EQ(List(dir_.path()), (std::set<std::string>{"b", "c"}));
}

TEST_F(FsOpsTest, RenameDirectories) {
  ASSERT_THAT(mkdir(P("d1").c_str(), 0755), SyscallSucceeds());
  ASSERT_THAT(mkdir(P("d1/sub").c_str(), 0755), SyscallSucceeds());
  ASSERT_THAT(mkdir(P("d2").c_str(), 0755), SyscallSucceeds());
  ASSERT_TRUE(WriteFile(P("d1/sub/f"), "deep"));
  ASSERT_TRUE(WriteFile(P("file"), ""));
  // Into its own subdirectory: EINVAL.
  EXPECT_THAT(rename(P("d1").c_str(), P("d1/sub/x").c_str()),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(rename(P("d1").c_str(), P("d1/x").c_str()),
              SyscallFailsWithErrno(EINVAL));
  // Over a non-empty directory: ENOTEMPTY; over its own ancestor too.
  ASSERT_TRUE(WriteFile(P("d2/x"), ""));
  EXPECT_THAT(rename(P("d1").c_str(), P("d2").c_str()),
              SyscallFailsWithErrno(ENOTEMPTY));
  EXPECT_THAT(rename(P("d1/sub").c_str(), P("d1").c_str()),
              SyscallFailsWithErrno(ENOTEMPTY));
  // Type mismatches.
  EXPECT_THAT(rename(P("d1").c_str(), P("file").c_str()),
              SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(rename(P("file").c_str(), P("d2").c_str()),
              SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(rename(P("file").c_str(), P("newname/").c_str()),
              SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(rename(P("missing").c_str(), P("x").c_str()),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(rename(P("d1/.").c_str(), P("x").c_str()),
              SyscallFailsWithErrno(EBUSY));
  // Over an empty directory: fine; the subtree moves along.
  ASSERT_THAT(unlink(P("d2/x").c_str()), SyscallSucceeds());
  ASSERT_THAT(rename(P("d1").c_str(), P("d2").c_str()), SyscallSucceeds());
  EXPECT_EQ(ReadFile(P("d2/sub/f")), "deep");
  // Link counts of the parents follow.
  ASSERT_THAT(mkdir(P("d3").c_str(), 0755), SyscallSucceeds());
  ASSERT_THAT(rename(P("d2/sub").c_str(), P("d3/sub").c_str()), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(stat(P("d2").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_nlink, 2u);
  ASSERT_THAT(stat(P("d3").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_nlink, 3u);
  // A trailing slash on a directory is fine.
  EXPECT_THAT(rename(P("d3/").c_str(), P("d4/").c_str()), SyscallSucceeds());
}

TEST_F(FsOpsTest, Renameat2Flags) {
  ASSERT_TRUE(WriteFile(P("a"), "A"));
  ASSERT_TRUE(WriteFile(P("b"), "B"));
  ASSERT_THAT(mkdir(P("d").c_str(), 0755), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_renameat2, AT_FDCWD, P("a").c_str(), AT_FDCWD,
                      P("b").c_str(), RENAME_NOREPLACE),
              SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(syscall(SYS_renameat2, AT_FDCWD, P("a").c_str(), AT_FDCWD,
                      P("c").c_str(), RENAME_NOREPLACE),
              SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_renameat2, AT_FDCWD, P("c").c_str(), AT_FDCWD,
                      P("b").c_str(), RENAME_EXCHANGE),
              SyscallSucceeds());
  EXPECT_EQ(ReadFile(P("b")), "A");
  EXPECT_EQ(ReadFile(P("c")), "B");
  // Exchange a file and a directory.
  EXPECT_THAT(syscall(SYS_renameat2, AT_FDCWD, P("c").c_str(), AT_FDCWD,
                      P("d").c_str(), RENAME_EXCHANGE),
              SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(stat(P("c").c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(ReadFile(P("d")), "B");
  EXPECT_THAT(syscall(SYS_renameat2, AT_FDCWD, P("b").c_str(), AT_FDCWD,
                      P("none").c_str(), RENAME_EXCHANGE),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(syscall(SYS_renameat2, AT_FDCWD, P("b").c_str(), AT_FDCWD,
                      P("d").c_str(), RENAME_EXCHANGE | RENAME_NOREPLACE),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_renameat2, AT_FDCWD, P("b").c_str(), AT_FDCWD,
                      P("d").c_str(), 0x100),
              SyscallFailsWithErrno(EINVAL));
}

TEST_F(FsOpsTest, RenameAcrossMountsIsEXDEV) {
  // /tmp and /dev/shm are different filesystems both natively and in the
  // sandbox.
  ASSERT_TRUE(WriteFile(P("f"), "x"));
  std::string other = "/dev/shm/conformance-exdev-" + std::to_string(getpid());
  EXPECT_THAT(rename(P("f").c_str(), other.c_str()), SyscallFailsWithErrno(EXDEV));
  EXPECT_THAT(link(P("f").c_str(), other.c_str()), SyscallFailsWithErrno(EXDEV));
}

// ---------------------------------------------------------------- link/symlink

TEST_F(FsOpsTest, HardLinks) {
  ASSERT_TRUE(WriteFile(P("f"), "data"));
  ASSERT_THAT(link(P("f").c_str(), P("g").c_str()), SyscallSucceeds());
  struct stat a, b;
  ASSERT_THAT(stat(P("f").c_str(), &a), SyscallSucceeds());
  ASSERT_THAT(stat(P("g").c_str(), &b), SyscallSucceeds());
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_nlink, 2u);
  ASSERT_TRUE(WriteFile(P("g"), "changed"));
  EXPECT_EQ(ReadFile(P("f")), "changed");
  ASSERT_THAT(unlink(P("f").c_str()), SyscallSucceeds());
  ASSERT_THAT(stat(P("g").c_str(), &b), SyscallSucceeds());
  EXPECT_EQ(b.st_nlink, 1u);
  EXPECT_THAT(link(P("g").c_str(), P("g").c_str()), SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(link(P("none").c_str(), P("h").c_str()), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(link(dir_.path().c_str(), P("h").c_str()), SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(link(P("g").c_str(), P("nodir/h").c_str()),
              SyscallFailsWithErrno(ENOENT));
}

TEST_F(FsOpsTest, LinkatFollowAndEmptyPath) {
  ASSERT_TRUE(WriteFile(P("f"), "data"));
  ASSERT_THAT(symlink("f", P("l").c_str()), SyscallSucceeds());
  // linkat does not follow by default: the new name is a symlink.
  ASSERT_THAT(linkat(AT_FDCWD, P("l").c_str(), AT_FDCWD, P("l2").c_str(), 0),
              SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(lstat(P("l2").c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_THAT(linkat(AT_FDCWD, P("l").c_str(), AT_FDCWD, P("f2").c_str(),
                     AT_SYMLINK_FOLLOW),
              SyscallSucceeds());
  ASSERT_THAT(lstat(P("f2").c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_THAT(linkat(AT_FDCWD, P("f").c_str(), AT_FDCWD, P("x").c_str(), 0x1),
              SyscallFailsWithErrno(EINVAL));
}

TEST_F(FsOpsTest, Symlinks) {
  ASSERT_THAT(symlink("some/where", P("l").c_str()), SyscallSucceeds());
  char buf[64] = {};
  EXPECT_THAT(readlink(P("l").c_str(), buf, sizeof(buf)),
              SyscallSucceedsWithValue(10));
  EXPECT_STREQ(buf, "some/where");
  struct stat st;
  ASSERT_THAT(lstat(P("l").c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(st.st_size, 10);
  EXPECT_THAT(stat(P("l").c_str(), &st), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(symlink("x", P("l").c_str()), SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(symlink("", P("e").c_str()), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(symlink("x", P("nodir/l").c_str()), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(symlink("x", P("t/").c_str()), SyscallFailsWithErrno(ENOENT));
  int dfd = open(dir_.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dfd, 0);
  FdCloser c(dfd);
  EXPECT_THAT(symlinkat("target", dfd, "l3"), SyscallSucceeds());
  EXPECT_THAT(readlinkat(dfd, "l3", buf, sizeof(buf)), SyscallSucceedsWithValue(6));
  // A loop.
  ASSERT_THAT(symlink("loop", P("loop").c_str()), SyscallSucceeds());
  EXPECT_THAT(open(P("loop").c_str(), O_RDONLY), SyscallFailsWithErrno(ELOOP));
  EXPECT_THAT(open(P("loop").c_str(), O_RDONLY | O_CREAT, 0644),
              SyscallFailsWithErrno(ELOOP));
}

// ---------------------------------------------------------------- mknod

TEST_F(FsOpsTest, Mknod) {
  ASSERT_THAT(mknod(P("fifo").c_str(), S_IFIFO | 0600, 0), SyscallSucceeds());
  ASSERT_THAT(mknod(P("reg").c_str(), 0600, 0), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(stat(P("fifo").c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_THAT(stat(P("reg").c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_THAT(mknod(P("dir").c_str(), S_IFDIR | 0700, 0),
              SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(mknod(P("bad").c_str(), 0170000 | 0700, 0),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(mknod(P("fifo").c_str(), S_IFIFO | 0600, 0),
              SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(mkfifo(P("f2").c_str(), 0600), SyscallSucceeds());
  // A FIFO opened O_RDWR never waits, and carries data.
  int fd = open(P("fifo").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  EXPECT_THAT(write(fd, "via fifo", 8), SyscallSucceedsWithValue(8));
  char buf[16] = {};
  EXPECT_THAT(read(fd, buf, sizeof(buf)), SyscallSucceedsWithValue(8));
  EXPECT_STREQ(buf, "via fifo");
  // Non-blocking: a reader opens at once, a writer without readers is ENXIO.
  EXPECT_THAT(open(P("f2").c_str(), O_WRONLY | O_NONBLOCK),
              SyscallFailsWithErrno(ENXIO));
  int r = open(P("f2").c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(r, 0);
  FdCloser rc(r);
  int w = open(P("f2").c_str(), O_WRONLY | O_NONBLOCK);
  ASSERT_GE(w, 0);
  FdCloser wc(w);
  EXPECT_THAT(write(w, "x", 1), SyscallSucceedsWithValue(1));
  EXPECT_THAT(read(r, buf, sizeof(buf)), SyscallSucceedsWithValue(1));
  EXPECT_THAT(fstat(r, &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_THAT(lseek(r, 0, SEEK_SET), SyscallFailsWithErrno(ESPIPE));
}

// ---------------------------------------------------------------- attributes

TEST_F(FsOpsTest, ChmodChown) {
  ASSERT_TRUE(WriteFile(P("f"), ""));
  EXPECT_THAT(chmod(P("f").c_str(), 04710), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_mode & 07777, 04710u);
  // chown drops set-user-ID, even for root.
  EXPECT_THAT(chown(P("f").c_str(), 1234, 5678), SyscallSucceeds());
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
  EXPECT_EQ(st.st_mode & 07777, 0710u);
  EXPECT_THAT(chown(P("f").c_str(), -1, 42), SyscallSucceeds());
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 42u);
  int fd = open(P("f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  EXPECT_THAT(fchmod(fd, 0600), SyscallSucceeds());
  EXPECT_THAT(fchown(fd, 0, 0), SyscallSucceeds());
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_THAT(fchmodat(AT_FDCWD, P("f").c_str(), 0644, 0), SyscallSucceeds());
  EXPECT_THAT(fchmod(-1, 0644), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(chmod(P("none").c_str(), 0644), SyscallFailsWithErrno(ENOENT));
  // lchown acts on the link itself.
  ASSERT_THAT(symlink("f", P("l").c_str()), SyscallSucceeds());
  EXPECT_THAT(lchown(P("l").c_str(), 7, 7), SyscallSucceeds());
  ASSERT_THAT(lstat(P("l").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_uid, 7u);
  ASSERT_THAT(stat(P("l").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_THAT(fchownat(AT_FDCWD, P("l").c_str(), 8, 8, 0x1),
              SyscallFailsWithErrno(EINVAL));
  int opath = open(P("f").c_str(), O_PATH);
  ASSERT_GE(opath, 0);
  FdCloser oc(opath);
  EXPECT_THAT(fchmod(opath, 0600), SyscallFailsWithErrno(EBADF));
}

TEST_F(FsOpsTest, Utimes) {
  ASSERT_TRUE(WriteFile(P("f"), ""));
  struct timespec ts[2] = {{1000000000, 123}, {1100000000, 456}};
  ASSERT_THAT(utimensat(AT_FDCWD, P("f").c_str(), ts, 0), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
  EXPECT_EQ(st.st_atim.tv_nsec, 123);
  EXPECT_EQ(st.st_mtim.tv_sec, 1100000000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 456);
  // UTIME_OMIT keeps one, UTIME_NOW sets the other to now.
  struct timespec ts2[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  ASSERT_THAT(utimensat(AT_FDCWD, P("f").c_str(), ts2, 0), SyscallSucceeds());
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_atim.tv_sec, 1000000000);
  EXPECT_GT(st.st_mtim.tv_sec, 1600000000);
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  EXPECT_THAT(utimensat(AT_FDCWD, P("f").c_str(), bad, 0),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(utimensat(AT_FDCWD, P("f").c_str(), ts, 0x4),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(utimensat(AT_FDCWD, P("none").c_str(), ts, 0),
              SyscallFailsWithErrno(ENOENT));
  // utimes and utime (second resolution).
  struct timeval tv[2] = {{2000, 5}, {3000, 7}};
  ASSERT_THAT(utimes(P("f").c_str(), tv), SyscallSucceeds());
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_atim.tv_sec, 2000);
  EXPECT_EQ(st.st_atim.tv_nsec, 5000);
  struct utimbuf ub = {4000, 5000};
  ASSERT_THAT(utime(P("f").c_str(), &ub), SyscallSucceeds());
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  EXPECT_EQ(st.st_mtim.tv_sec, 5000);
  // futimens through an fd, and the NULL-path form of utimensat.
  int fd = open(P("f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  ASSERT_THAT(futimens(fd, ts), SyscallSucceeds());
  ASSERT_THAT(syscall(SYS_utimensat, fd, nullptr, ts, 0), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_utimensat, fd, nullptr, ts, AT_SYMLINK_NOFOLLOW),
              SyscallFailsWithErrno(EINVAL));
  // Writes update mtime.
  ASSERT_THAT(stat(P("f").c_str(), &st), SyscallSucceeds());
  int wfd = open(P("f").c_str(), O_WRONLY);
  ASSERT_GE(wfd, 0);
  ASSERT_THAT(write(wfd, "x", 1), SyscallSucceeds());
  close(wfd);
  struct stat st2;
  ASSERT_THAT(stat(P("f").c_str(), &st2), SyscallSucceeds());
  EXPECT_GT(st2.st_mtim.tv_sec, st.st_mtim.tv_sec);
}

TEST_F(FsOpsTest, Truncate) {
  ASSERT_TRUE(WriteFile(P("f"), "0123456789"));
  ASSERT_THAT(truncate(P("f").c_str(), 4), SyscallSucceeds());
  EXPECT_EQ(ReadFile(P("f")), "0123");
  ASSERT_THAT(truncate(P("f").c_str(), 6), SyscallSucceeds());
  EXPECT_EQ(ReadFile(P("f")), std::string("0123\0\0", 6));
  EXPECT_THAT(truncate(P("f").c_str(), -1), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(truncate(dir_.path().c_str(), 0), SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(truncate(P("none").c_str(), 0), SyscallFailsWithErrno(ENOENT));
  int fd = open(P("f").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  EXPECT_THAT(ftruncate(fd, 2), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_size, 2);
  EXPECT_THAT(ftruncate(fd, -5), SyscallFailsWithErrno(EINVAL));
  int ro = open(P("f").c_str(), O_RDONLY);
  ASSERT_GE(ro, 0);
  FdCloser rc(ro);
  EXPECT_THAT(ftruncate(ro, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(ftruncate(-1, 0), SyscallFailsWithErrno(EBADF));
  int pfd[2];
  ASSERT_THAT(pipe(pfd), SyscallSucceeds());
  EXPECT_THAT(ftruncate(pfd[1], 0), SyscallFailsWithErrno(EINVAL));
  close(pfd[0]);
  close(pfd[1]);
  int dfd = open(dir_.path().c_str(), O_RDONLY);
  ASSERT_GE(dfd, 0);
  FdCloser dc(dfd);
  EXPECT_THAT(ftruncate(dfd, 0), SyscallFailsWithErrno(EINVAL));
}

TEST_F(FsOpsTest, Fallocate) {
  int fd = open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  ASSERT_THAT(fallocate(fd, 0, 0, 8192), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_size, 8192);
  ASSERT_THAT(fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192), SyscallSucceeds());
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_size, 8192);
  ASSERT_THAT(pwrite(fd, "abcd", 4, 100), SyscallSucceeds());
  ASSERT_THAT(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096),
              SyscallSucceeds());
  char buf[4];
  ASSERT_THAT(pread(fd, buf, 4, 100), SyscallSucceedsWithValue(4));
  EXPECT_EQ(std::string(buf, 4), std::string(4, '\0'));
  EXPECT_THAT(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096),
              SyscallFailsWithErrno(EOPNOTSUPP));
  EXPECT_THAT(fallocate(fd, 0, -1, 10), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(fallocate(fd, 0, 0, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(fallocate(-1, 0, 0, 10), SyscallFailsWithErrno(EBADF));
  int ro = open(P("f").c_str(), O_RDONLY);
  ASSERT_GE(ro, 0);
  FdCloser rc(ro);
  EXPECT_THAT(fallocate(ro, 0, 0, 10), SyscallFailsWithErrno(EBADF));
  int pfd[2];
  ASSERT_THAT(pipe(pfd), SyscallSucceeds());
  EXPECT_THAT(fallocate(pfd[1], 0, 0, 10), SyscallFailsWithErrno(ESPIPE));
  close(pfd[0]);
  close(pfd[1]);
}

TEST_F(FsOpsTest, SyncFamily) {
  int fd = open(P("f").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  EXPECT_THAT(fsync(fd), SyscallSucceeds());
  EXPECT_THAT(fdatasync(fd), SyscallSucceeds());
  EXPECT_THAT(syncfs(fd), SyscallSucceeds());
  sync();
  EXPECT_THAT(fsync(-1), SyscallFailsWithErrno(EBADF));
  int pfd[2];
  ASSERT_THAT(pipe(pfd), SyscallSucceeds());
  EXPECT_THAT(fsync(pfd[0]), SyscallFailsWithErrno(EINVAL));
  close(pfd[0]);
  close(pfd[1]);
  int dfd = open(dir_.path().c_str(), O_RDONLY);
  ASSERT_GE(dfd, 0);
  EXPECT_THAT(fsync(dfd), SyscallSucceeds());
  close(dfd);
}

TEST_F(FsOpsTest, Statfs) {
  struct statfs a, b;
  ASSERT_THAT(statfs(dir_.path().c_str(), &a), SyscallSucceeds());
  EXPECT_GT(a.f_bsize, 0);
  EXPECT_GE(a.f_namelen, 255);
  int fd = open(dir_.path().c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  ASSERT_THAT(fstatfs(fd, &b), SyscallSucceeds());
  EXPECT_EQ(a.f_type, b.f_type);
  EXPECT_THAT(statfs(P("none").c_str(), &a), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(fstatfs(-1, &a), SyscallFailsWithErrno(EBADF));
  struct statfs shm;
  ASSERT_THAT(statfs("/dev/shm", &shm), SyscallSucceeds());
  EXPECT_EQ(shm.f_type, 0x01021994);  // TMPFS_MAGIC
  struct statfs proc;
  ASSERT_THAT(statfs("/proc", &proc), SyscallSucceeds());
  EXPECT_EQ(proc.f_type, 0x9fa0);  // PROC_SUPER_MAGIC
  int pfd[2];
  ASSERT_THAT(pipe(pfd), SyscallSucceeds());
  ASSERT_THAT(fstatfs(pfd[0], &a), SyscallSucceeds());
  EXPECT_EQ(a.f_type, 0x50495045);  // PIPEFS_MAGIC
  close(pfd[0]);
  close(pfd[1]);
}

// ---------------------------------------------------------------- O_TMPFILE

TEST_F(FsOpsTest, Tmpfile) {
  int fd = open(dir_.path().c_str(), O_TMPFILE | O_RDWR, 0600);
  ASSERT_GE(fd, 0) << conformance::ErrnoName(errno);
  FdCloser c(fd);
  EXPECT_THAT(write(fd, "anon", 4), SyscallSucceedsWithValue(4));
  EXPECT_TRUE(List(dir_.path()).empty());
  struct stat st;
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_nlink, 0u);
  // It can be given a name.
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  ASSERT_THAT(linkat(AT_FDCWD, self.c_str(), AT_FDCWD, P("named").c_str(),
                     AT_SYMLINK_FOLLOW),
              SyscallSucceeds());
  EXPECT_EQ(ReadFile(P("named")), "anon");
  EXPECT_THAT(open(dir_.path().c_str(), O_TMPFILE | O_RDONLY, 0600),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(open(P("named").c_str(), O_TMPFILE | O_RDWR, 0600),
              SyscallFailsWithErrno(ENOTDIR));
  int excl = open(dir_.path().c_str(), O_TMPFILE | O_RDWR | O_EXCL, 0600);
  ASSERT_GE(excl, 0);
  FdCloser ec(excl);
  std::string excl_path = "/proc/self/fd/" + std::to_string(excl);
  EXPECT_THAT(linkat(AT_FDCWD, excl_path.c_str(), AT_FDCWD, P("n2").c_str(),
                     AT_SYMLINK_FOLLOW),
              SyscallFailsWithErrno(ENOENT));
}

// ---------------------------------------------------------------- openat2

int Openat2(int dirfd, const char* path, uint64_t flags, uint64_t mode,
            uint64_t resolve) {
  struct open_how how = {};
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  return static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

TEST_F(FsOpsTest, Openat2Resolve) {
  ASSERT_THAT(mkdir(P("d").c_str(), 0755), SyscallSucceeds());
  ASSERT_TRUE(WriteFile(P("d/f"), "x"));
  ASSERT_TRUE(WriteFile(P("top"), "t"));
  ASSERT_THAT(symlink("f", P("d/rel").c_str()), SyscallSucceeds());
  ASSERT_THAT(symlink("/etc/passwd", P("d/abs").c_str()), SyscallSucceeds());
  ASSERT_THAT(symlink("../top", P("d/up").c_str()), SyscallSucceeds());
  int dfd = open(P("d").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(dfd, 0);
  FdCloser c(dfd);
  int fd;
  ASSERT_THAT(fd = Openat2(dfd, "f", O_RDONLY, 0, RESOLVE_BENEATH),
              SyscallSucceeds());
  close(fd);
  ASSERT_THAT(fd = Openat2(dfd, "rel", O_RDONLY, 0, RESOLVE_BENEATH),
              SyscallSucceeds());
  close(fd);
  EXPECT_THAT(Openat2(dfd, "../top", O_RDONLY, 0, RESOLVE_BENEATH),
              SyscallFailsWithErrno(EXDEV));
  EXPECT_THAT(Openat2(dfd, "up", O_RDONLY, 0, RESOLVE_BENEATH),
              SyscallFailsWithErrno(EXDEV));
  EXPECT_THAT(Openat2(dfd, "abs", O_RDONLY, 0, RESOLVE_BENEATH),
              SyscallFailsWithErrno(EXDEV));
  EXPECT_THAT(Openat2(dfd, "/etc/passwd", O_RDONLY, 0, RESOLVE_BENEATH),
              SyscallFailsWithErrno(EXDEV));
  EXPECT_THAT(Openat2(dfd, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS),
              SyscallFailsWithErrno(ELOOP));
  // IN_ROOT: ".." and absolute links stay inside the directory.
  ASSERT_THAT(fd = Openat2(dfd, "../../../f", O_RDONLY, 0, RESOLVE_IN_ROOT),
              SyscallSucceeds());
  close(fd);
  EXPECT_THAT(Openat2(dfd, "abs", O_RDONLY, 0, RESOLVE_IN_ROOT),
              SyscallFailsWithErrno(ENOENT));
  ASSERT_THAT(fd = Openat2(dfd, "up", O_RDONLY, 0, RESOLVE_IN_ROOT),
              SyscallFailsWithErrno(ENOENT));
  // NO_XDEV: /proc is another mount.
  EXPECT_THAT(Openat2(AT_FDCWD, "/proc/self/status", O_RDONLY, 0, RESOLVE_NO_XDEV),
              SyscallFailsWithErrno(EXDEV));
  EXPECT_THAT(Openat2(AT_FDCWD, "/proc/self/fd/0", O_RDONLY, 0,
                      RESOLVE_NO_MAGICLINKS),
              SyscallFailsWithErrno(ELOOP));
  // Argument checks.
  EXPECT_THAT(Openat2(dfd, "f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(Openat2(dfd, "f", O_RDONLY, 0, 0x1000), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(Openat2(dfd, "f", O_RDONLY, 0644, 0), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(Openat2(dfd, "f", 1ull << 40, 0, 0), SyscallFailsWithErrno(EINVAL));
  struct open_how how = {};
  EXPECT_THAT(syscall(SYS_openat2, dfd, "f", &how, 8), SyscallFailsWithErrno(EINVAL));
  struct {
    struct open_how h;
    uint64_t extra;
  } big = {{}, 1};
  EXPECT_THAT(syscall(SYS_openat2, dfd, "f", &big, sizeof(big)),
              SyscallFailsWithErrno(E2BIG));
  big.extra = 0;
  ASSERT_THAT(fd = static_cast<int>(syscall(SYS_openat2, dfd, "f", &big, sizeof(big))),
              SyscallSucceeds());
  close(fd);
  ASSERT_THAT(fd = Openat2(dfd, "new", O_RDWR | O_CREAT, 0600, RESOLVE_BENEATH),
              SyscallSucceeds());
  close(fd);
  EXPECT_THAT(Openat2(dfd, "new", O_RDWR | O_CREAT, 0600, RESOLVE_CACHED),
              SyscallFailsWithErrno(EAGAIN));
}

}  // namespace

// ---------------------------------------------------------------- xattrs

namespace {

TEST(XattrTest, UserAttributesOnTmpfs) {
  TempDir dir("/dev/shm");
  ASSERT_TRUE(dir.ok());
  std::string f = dir.Join("f");
  ASSERT_TRUE(WriteFile(f, "x"));
  ASSERT_THAT(setxattr(f.c_str(), "user.color", "blue", 4, 0), SyscallSucceeds());
  char buf[64] = {};
  EXPECT_THAT(getxattr(f.c_str(), "user.color", nullptr, 0),
              SyscallSucceedsWithValue(4));
  EXPECT_THAT(getxattr(f.c_str(), "user.color", buf, sizeof(buf)),
              SyscallSucceedsWithValue(4));
  EXPECT_EQ(std::string(buf, 4), "blue");
  EXPECT_THAT(getxattr(f.c_str(), "user.color", buf, 2), SyscallFailsWithErrno(ERANGE));
  EXPECT_THAT(getxattr(f.c_str(), "user.none", buf, sizeof(buf)),
              SyscallFailsWithErrno(ENODATA));
  EXPECT_THAT(setxattr(f.c_str(), "user.color", "red", 3, XATTR_CREATE),
              SyscallFailsWithErrno(EEXIST));
  EXPECT_THAT(setxattr(f.c_str(), "user.size", "1", 1, XATTR_REPLACE),
              SyscallFailsWithErrno(ENODATA));
  ASSERT_THAT(setxattr(f.c_str(), "user.size", "", 0, XATTR_CREATE), SyscallSucceeds());
  ssize_t n;
  ASSERT_THAT(n = listxattr(f.c_str(), buf, sizeof(buf)), SyscallSucceeds());
  std::string list(buf, n);
  EXPECT_NE(list.find(std::string("user.color\0", 11)), std::string::npos);
  EXPECT_NE(list.find(std::string("user.size\0", 10)), std::string::npos);
  EXPECT_THAT(listxattr(f.c_str(), nullptr, 0), SyscallSucceedsWithValue(n));
  EXPECT_THAT(listxattr(f.c_str(), buf, 3), SyscallFailsWithErrno(ERANGE));
  int fd = open(f.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  EXPECT_THAT(fgetxattr(fd, "user.color", buf, sizeof(buf)), SyscallSucceedsWithValue(4));
  EXPECT_THAT(fremovexattr(fd, "user.color"), SyscallSucceeds());
  EXPECT_THAT(removexattr(f.c_str(), "user.color"), SyscallFailsWithErrno(ENODATA));
  EXPECT_THAT(setxattr(f.c_str(), "bogus.name", "v", 1, 0),
              SyscallFailsWithErrno(EOPNOTSUPP));
  EXPECT_THAT(setxattr(f.c_str(), "", "v", 1, 0), SyscallFailsWithErrno(ERANGE));
  EXPECT_THAT(setxattr(f.c_str(), "user.x", "v", 1, 0x10), SyscallFailsWithErrno(EINVAL));
  // user. attributes only live on regular files and directories.
  ASSERT_THAT(symlink("f", dir.Join("l").c_str()), SyscallSucceeds());
  EXPECT_THAT(lsetxattr(dir.Join("l").c_str(), "user.x", "v", 1, 0),
              SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(setxattr(dir.path().c_str(), "user.dir", "d", 1, 0), SyscallSucceeds());
  EXPECT_THAT(getxattr(f.c_str(), "user.x", buf, sizeof(buf)),
              SyscallFailsWithErrno(ENODATA));
  EXPECT_THAT(fgetxattr(-1, "user.x", buf, sizeof(buf)), SyscallFailsWithErrno(EBADF));
}

}  // namespace

// ---------------------------------------------------------------- chroot

namespace {

TEST(ChrootTest, NewRootConfinesPaths) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_THAT(mkdir(dir.Join("sub").c_str(), 0755), SyscallSucceeds());
  ASSERT_TRUE(WriteFile(dir.Join("inside"), "in"));
  ASSERT_THAT(symlink("/inside", dir.Join("sub/abs").c_str()), SyscallSucceeds());
  ASSERT_THAT(symlink("../../../../../inside", dir.Join("sub/rel").c_str()),
              SyscallSucceeds());
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (chroot(dir.path().c_str()) != 0) _exit(1);
    if (chdir("/") != 0) _exit(2);
    if (ReadFile("/inside") != "in") _exit(3);
    if (ReadFile("/../../inside") != "in") _exit(4);
    if (ReadFile("/sub/abs") != "in") _exit(5);
    if (ReadFile("/sub/rel") != "in") _exit(6);
    char cwd[64];
    if (!getcwd(cwd, sizeof(cwd)) || std::string(cwd) != "/") _exit(7);
    if (std::set<std::string>{"inside", "sub"} != List("/")) _exit(8);
    if (chroot("/nonexistent") == 0 || errno != ENOENT) _exit(9);
    if (chroot("/inside") == 0 || errno != ENOTDIR) _exit(10);
    _exit(0);
  }
  int status;
  ASSERT_THAT(waitpid(pid, &status, 0), SyscallSucceedsWithValue(pid));
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace

// Set-user-ID and set-group-ID bits under no_new_privs (the sandbox always
// runs with it, so it honours no set-id bit on any mount, nosuid or not):
// Linux ignores the bits, the program runs with the caller's ids and
// AT_SECURE stays 0. Checked with a set-user-ID-root copy of id(1) run by
// an unprivileged child.
TEST(SetidExecTest, IgnoredUnderNoNewPrivs) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_THAT(chmod(dir.path().c_str(), 0755), SyscallSucceeds());
  std::string id = dir.Join("id");
  std::string bytes = ReadFile("/usr/bin/id");
  ASSERT_FALSE(bytes.empty());
  ASSERT_TRUE(WriteFile(id, bytes));
  ASSERT_THAT(chown(id.c_str(), 0, 0), SyscallSucceeds());
  ASSERT_THAT(chmod(id.c_str(), 06755), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(stat(id.c_str(), &st), SyscallSucceeds());
  ASSERT_EQ(st.st_mode & 07777, 06755u);
  int p[2];
  ASSERT_THAT(pipe(p), SyscallSucceeds());
  pid_t child = fork();
  if (child == 0) {
    dup2(p[1], 1);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(2);
    if (setresgid(65534, 65534, 65534) != 0) _exit(3);
    if (setgroups(0, nullptr) != 0) _exit(4);
    if (setresuid(65534, 65534, 65534) != 0) _exit(5);
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) _exit(6);
    // Effective uid and gid, then real ones.
    execl(id.c_str(), "id", "-u", nullptr);
    _exit(7);
  }
  close(p[1]);
  std::string out;
  char buf[64];
  ssize_t n;
  while ((n = read(p[0], buf, sizeof(buf))) > 0) out.append(buf, n);
  close(p[0]);
  int status;
  ASSERT_THAT(waitpid(child, &status, 0), SyscallSucceedsWithValue(child));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(out, "65534\n");
}
