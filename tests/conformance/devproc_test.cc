// /dev and /proc as programs use them: the character devices (null, zero,
// full, random, urandom), the /dev/fd and /dev/std* links, and the /proc
// files about the calling process (self, status, stat, cmdline, environ,
// maps, fd/, fdinfo/, exe, cwd, limits, mounts, comm, task/) and the system
// (meminfo, uptime, loadavg, stat, version, filesystems, sys/kernel/*).
//
// Only what is the same natively and in the sandbox: shapes, fields and
// relations between them, never host-specific values.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"
#include "test_util.h"

namespace {

using conformance::FdCloser;
using conformance::ReadFile;
using conformance::TempDir;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string Field(const std::string& text, const std::string& key) {
  for (const std::string& l : Lines(text)) {
    if (l.rfind(key + ":", 0) == 0) {
      std::string v = l.substr(key.size() + 1);
      size_t b = v.find_first_not_of(" \t");
      return b == std::string::npos ? "" : v.substr(b);
    }
  }
  return "<missing " + key + ">";
}

std::string Readlink(const std::string& path) {
  char buf[PATH_MAX] = {};
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  return n < 0 ? "<error>" : std::string(buf, n);
}

// ---------------------------------------------------------------- /dev

TEST(DevTest, Null) {
  int fd;
  ASSERT_THAT(fd = open("/dev/null", O_RDWR), SyscallSucceeds());
  FdCloser c(fd);
  char buf[8];
  EXPECT_THAT(read(fd, buf, sizeof(buf)), SyscallSucceedsWithValue(0));
  EXPECT_THAT(write(fd, "abc", 3), SyscallSucceedsWithValue(3));
  struct stat st;
  ASSERT_THAT(fstat(fd, &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(1, 3));
  EXPECT_EQ(st.st_mode & 0777, 0666u);
  EXPECT_THAT(lseek(fd, 100, SEEK_SET), SyscallSucceedsWithValue(0));
}

TEST(DevTest, ZeroAndFull) {
  int z = open("/dev/zero", O_RDWR);
  ASSERT_GE(z, 0);
  FdCloser zc(z);
  char buf[64];
  memset(buf, 'x', sizeof(buf));
  EXPECT_THAT(read(z, buf, sizeof(buf)), SyscallSucceedsWithValue(64));
  EXPECT_EQ(std::string(buf, 64), std::string(64, '\0'));
  EXPECT_THAT(write(z, buf, 10), SyscallSucceedsWithValue(10));
  int f = open("/dev/full", O_RDWR);
  ASSERT_GE(f, 0);
  FdCloser fc(f);
  EXPECT_THAT(write(f, "x", 1), SyscallFailsWithErrno(ENOSPC));
  EXPECT_THAT(read(f, buf, 8), SyscallSucceedsWithValue(8));
  struct stat st;
  ASSERT_THAT(stat("/dev/full", &st), SyscallSucceeds());
  EXPECT_EQ(st.st_rdev, makedev(1, 7));
  ASSERT_THAT(stat("/dev/zero", &st), SyscallSucceeds());
  EXPECT_EQ(st.st_rdev, makedev(1, 5));
}

TEST(DevTest, Random) {
  for (const char* name : {"/dev/random", "/dev/urandom"}) {
    int fd = open(name, O_RDONLY);
    ASSERT_GE(fd, 0) << name;
    FdCloser c(fd);
    unsigned char a[32], b[32];
    ASSERT_THAT(read(fd, a, sizeof(a)), SyscallSucceedsWithValue(32));
    ASSERT_THAT(read(fd, b, sizeof(b)), SyscallSucceedsWithValue(32));
    EXPECT_NE(std::string(reinterpret_cast<char*>(a), 32),
              std::string(reinterpret_cast<char*>(b), 32));
  }
  struct stat st;
  ASSERT_THAT(stat("/dev/urandom", &st), SyscallSucceeds());
  EXPECT_EQ(st.st_rdev, makedev(1, 9));
}

TEST(DevTest, FdLinks) {
  EXPECT_EQ(Readlink("/dev/fd"), "/proc/self/fd");
  EXPECT_EQ(Readlink("/dev/stdin"), "/proc/self/fd/0");
  EXPECT_EQ(Readlink("/dev/stdout"), "/proc/self/fd/1");
  EXPECT_EQ(Readlink("/dev/stderr"), "/proc/self/fd/2");
  // /dev/fd/N reopens the file open at N.
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(conformance::WriteFile(dir.Join("f"), "through dev fd"));
  int fd = open(dir.Join("f").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  EXPECT_EQ(ReadFile("/dev/fd/" + std::to_string(fd)), "through dev fd");
  // A pipe reopened through /proc/self/fd is the same pipe.
  int p[2];
  ASSERT_THAT(pipe(p), SyscallSucceeds());
  FdCloser r(p[0]), w(p[1]);
  int w2 = open(("/proc/self/fd/" + std::to_string(p[1])).c_str(), O_WRONLY);
  ASSERT_GE(w2, 0) << conformance::ErrnoName(errno);
  EXPECT_THAT(write(w2, "pipe!", 5), SyscallSucceedsWithValue(5));
  close(w2);
  char buf[8] = {};
  EXPECT_THAT(read(p[0], buf, sizeof(buf)), SyscallSucceedsWithValue(5));
  EXPECT_STREQ(buf, "pipe!");
}

TEST(DevTest, ShmIsWritableTmpfs) {
  std::string path = "/dev/shm/conformance-" + std::to_string(getpid());
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0) << conformance::ErrnoName(errno);
  EXPECT_THAT(write(fd, "shm", 3), SyscallSucceedsWithValue(3));
  close(fd);
  EXPECT_THAT(unlink(path.c_str()), SyscallSucceeds());
}

// ---------------------------------------------------------------- /proc/self

TEST(ProcSelfTest, SelfIsThePid) {
  EXPECT_EQ(Readlink("/proc/self"), std::to_string(getpid()));
  EXPECT_EQ(Readlink("/proc/thread-self"),
            std::to_string(getpid()) + "/task/" + std::to_string(gettid()));
  struct stat a, b;
  ASSERT_THAT(stat("/proc/self", &a), SyscallSucceeds());
  ASSERT_THAT(stat(("/proc/" + std::to_string(getpid())).c_str(), &b),
              SyscallSucceeds());
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_TRUE(S_ISDIR(a.st_mode));
}

TEST(ProcSelfTest, Status) {
  std::string s = ReadFile("/proc/self/status");
  EXPECT_EQ(Field(s, "Pid"), std::to_string(getpid()));
  EXPECT_EQ(Field(s, "Tgid"), std::to_string(getpid()));
  EXPECT_EQ(Field(s, "PPid"), std::to_string(getppid()));
  EXPECT_EQ(Field(s, "Name"), "devproc_test");
  EXPECT_EQ(Field(s, "Threads"), "1");
  std::string uid = Field(s, "Uid");
  EXPECT_EQ(uid.substr(0, uid.find('\t')), std::to_string(getuid()));
  EXPECT_NE(Field(s, "State").find('R'), std::string::npos);
  EXPECT_NE(Field(s, "VmSize"), "<missing VmSize>");
  EXPECT_NE(Field(s, "SigBlk"), "<missing SigBlk>");
  EXPECT_NE(Field(s, "CapEff"), "<missing CapEff>");
}

TEST(ProcSelfTest, Stat) {
  std::string s = ReadFile("/proc/self/stat");
  // pid (comm) state ppid pgrp session ...
  std::string head = std::to_string(getpid()) + " (devproc_test) R ";
  EXPECT_EQ(s.substr(0, head.size()), head);
  std::istringstream in(s.substr(s.rfind(')') + 2));
  std::vector<std::string> f;
  std::string w;
  while (in >> w) f.push_back(w);
  // Fields from the state on: 52 - 2 = 50.
  EXPECT_EQ(f.size(), 50u);
  ASSERT_GE(f.size(), 4u);
  EXPECT_EQ(f[1], std::to_string(getppid()));
  EXPECT_EQ(f[2], std::to_string(getpgrp()));
  EXPECT_EQ(f[3], std::to_string(getsid(0)));
}

TEST(ProcSelfTest, CmdlineAndEnviron) {
  std::string cmd = ReadFile("/proc/self/cmdline");
  std::string want;
  for (int i = 0; i < conformance::OriginalArgc(); ++i) {
    want += conformance::OriginalArgv()[i];
    want += '\0';
  }
  EXPECT_EQ(cmd, want);
  std::string env = ReadFile("/proc/self/environ");
  std::string want_env;
  for (char** e = conformance::OriginalEnvp(); *e; ++e) {
    want_env += *e;
    want_env += '\0';
  }
  EXPECT_EQ(env, want_env);
}

TEST(ProcSelfTest, Maps) {
  std::string maps = ReadFile("/proc/self/maps");
  std::vector<std::string> lines = Lines(maps);
  ASSERT_GT(lines.size(), 5u);
  bool stack = false, exe = false;
  char self[PATH_MAX] = {};
  ASSERT_GT(readlink("/proc/self/exe", self, sizeof(self) - 1), 0);
  unsigned long prev_end = 0;
  for (const std::string& l : lines) {
    unsigned long start, end;
    char perms[8];
    ASSERT_EQ(sscanf(l.c_str(), "%lx-%lx %7s", &start, &end, perms), 3) << l;
    EXPECT_LT(start, end) << l;
    EXPECT_GE(start, prev_end) << l;
    prev_end = end;
    EXPECT_EQ(strlen(perms), 4u) << l;
    if (l.find("[stack]") != std::string::npos) stack = true;
    if (l.find(self) != std::string::npos) exe = true;
  }
  EXPECT_TRUE(stack);
  EXPECT_TRUE(exe) << self;
  // Our own code is in an executable mapping of our own file.
  unsigned long here = reinterpret_cast<unsigned long>(&ReadFile);
  bool found = false;
  for (const std::string& l : lines) {
    unsigned long start, end;
    char perms[8];
    sscanf(l.c_str(), "%lx-%lx %7s", &start, &end, perms);
    if (here >= start && here < end) {
      found = true;
      EXPECT_EQ(perms[2], 'x') << l;
    }
  }
  EXPECT_TRUE(found);
}

TEST(ProcSelfTest, FdDirectory) {
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(conformance::WriteFile(dir.Join("f"), "x"));
  int fd = open(dir.Join("f").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  FdCloser c(fd);
  std::string fdpath = "/proc/self/fd/" + std::to_string(fd);
  EXPECT_EQ(Readlink(fdpath), dir.Join("f"));
  struct stat st;
  ASSERT_THAT(lstat(fdpath.c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  std::string info = ReadFile("/proc/self/fdinfo/" + std::to_string(fd));
  EXPECT_EQ(Field(info, "pos"), "0");
  unsigned flags = strtoul(Field(info, "flags").c_str(), nullptr, 8);
  EXPECT_TRUE(flags & O_CLOEXEC);
  int p[2];
  ASSERT_THAT(pipe(p), SyscallSucceeds());
  FdCloser r(p[0]), w(p[1]);
  std::string pl = Readlink("/proc/self/fd/" + std::to_string(p[0]));
  EXPECT_EQ(pl.substr(0, 6), "pipe:[");
  EXPECT_EQ(pl, Readlink("/proc/self/fd/" + std::to_string(p[1])));
  // Unlinked files show " (deleted)".
  ASSERT_THAT(unlink(dir.Join("f").c_str()), SyscallSucceeds());
  EXPECT_EQ(Readlink(fdpath), dir.Join("f") + " (deleted)");
  EXPECT_THAT(open("/proc/self/fd/999999", O_RDONLY), SyscallFailsWithErrno(ENOENT));
  char buf[8];
  EXPECT_THAT(readlink("/proc/self/fd/999999", buf, sizeof(buf)),
              SyscallFailsWithErrno(ENOENT));
}

TEST(ProcSelfTest, ExeCwdRoot) {
  char cwd[PATH_MAX];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  EXPECT_EQ(Readlink("/proc/self/cwd"), cwd);
  EXPECT_EQ(Readlink("/proc/self/root"), "/");
  std::string exe = Readlink("/proc/self/exe");
  EXPECT_EQ(exe.substr(exe.rfind('/') + 1), "devproc_test");
  // The links lead to the files themselves.
  struct stat a, b;
  ASSERT_THAT(stat("/proc/self/exe", &a), SyscallSucceeds());
  ASSERT_THAT(stat(exe.c_str(), &b), SyscallSucceeds());
  EXPECT_EQ(a.st_ino, b.st_ino);
  ASSERT_THAT(stat("/proc/self/cwd/.", &a), SyscallSucceeds());
  ASSERT_THAT(stat(cwd, &b), SyscallSucceeds());
  EXPECT_EQ(a.st_ino, b.st_ino);
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  ASSERT_THAT(chdir(dir.path().c_str()), SyscallSucceeds());
  EXPECT_EQ(Readlink("/proc/self/cwd"), dir.path());
  ASSERT_THAT(chdir(cwd), SyscallSucceeds());
}

TEST(ProcSelfTest, LimitsMatchGetrlimit) {
  std::string s = ReadFile("/proc/self/limits");
  std::vector<std::string> lines = Lines(s);
  ASSERT_GE(lines.size(), 17u);
  EXPECT_EQ(lines[0].substr(0, 5), "Limit");
  struct rlimit rl;
  ASSERT_THAT(getrlimit(RLIMIT_NOFILE, &rl), SyscallSucceeds());
  std::string want = "Max open files            " + std::to_string(rl.rlim_cur);
  bool found = false;
  for (const std::string& l : lines) {
    if (l.rfind(want, 0) == 0) found = true;
  }
  EXPECT_TRUE(found) << s;
}

TEST(ProcSelfTest, CommReadWrite) {
  EXPECT_EQ(ReadFile("/proc/self/comm"), "devproc_test\n");
  int fd = open("/proc/self/comm", O_WRONLY);
  ASSERT_GE(fd, 0);
  EXPECT_THAT(write(fd, "renamed", 7), SyscallSucceedsWithValue(7));
  close(fd);
  EXPECT_EQ(ReadFile("/proc/self/comm"), "renamed\n");
  char name[17] = {};
  fd = open("/proc/self/comm", O_WRONLY);
  ASSERT_GE(fd, 0);
  EXPECT_THAT(write(fd, "devproc_test", 12), SyscallSucceedsWithValue(12));
  close(fd);
  EXPECT_EQ(ReadFile("/proc/self/comm"), "devproc_test\n");
  (void)name;
}

TEST(ProcSelfTest, Task) {
  std::string t = "/proc/self/task/" + std::to_string(gettid());
  struct stat st;
  ASSERT_THAT(stat(t.c_str(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  std::string s = ReadFile(t + "/status");
  EXPECT_EQ(Field(s, "Pid"), std::to_string(gettid()));
  EXPECT_THAT(stat("/proc/self/task/999999", &st), SyscallFailsWithErrno(ENOENT));
}

TEST(ProcSelfTest, Mounts) {
  std::string m = ReadFile("/proc/self/mounts");
  bool proc = false, root = false;
  for (const std::string& l : Lines(m)) {
    std::istringstream in(l);
    std::string src, dir, type, opts, a, b;
    in >> src >> dir >> type >> opts >> a >> b;
    EXPECT_EQ(a, "0") << l;
    EXPECT_EQ(b, "0") << l;
    if (dir == "/proc" && type == "proc") proc = true;
    if (dir == "/") root = true;
  }
  EXPECT_TRUE(proc) << m;
  EXPECT_TRUE(root) << m;
  EXPECT_EQ(Readlink("/proc/mounts"), "self/mounts");
  std::string info = ReadFile("/proc/self/mountinfo");
  bool sep = false;
  for (const std::string& l : Lines(info)) {
    if (l.find(" - ") != std::string::npos) sep = true;
  }
  EXPECT_TRUE(sep);
}

TEST(ProcSelfTest, Errors) {
  if (getuid() == 0) {
    // Root opens anything; the file itself refuses writes.
    int fd;
    ASSERT_THAT(fd = open("/proc/self/status", O_WRONLY), SyscallSucceeds());
    EXPECT_THAT(write(fd, "x", 1), SyscallFailsWithErrno(EINVAL));
    close(fd);
  } else {
    EXPECT_THAT(open("/proc/self/status", O_WRONLY),
                SyscallFailsWithErrno(EACCES));
  }
  EXPECT_THAT(open("/proc/self/nonexistent", O_RDONLY),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(open("/proc/999999999/status", O_RDONLY),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(mkdir("/proc/self/x", 0755), SyscallFails());
}

// ---------------------------------------------------------------- /proc

TEST(ProcTest, SystemFiles) {
  std::string mi = ReadFile("/proc/meminfo");
  EXPECT_EQ(Field(mi, "MemTotal").substr(Field(mi, "MemTotal").size() - 2), "kB");
  EXPECT_NE(Field(mi, "MemFree"), "<missing MemFree>");
  double up = -1, idle = -1;
  EXPECT_EQ(sscanf(ReadFile("/proc/uptime").c_str(), "%lf %lf", &up, &idle), 2);
  EXPECT_GE(up, 0);
  double l1, l5, l15;
  EXPECT_EQ(sscanf(ReadFile("/proc/loadavg").c_str(), "%lf %lf %lf", &l1, &l5, &l15),
            3);
  std::string st = ReadFile("/proc/stat");
  EXPECT_EQ(st.substr(0, 4), "cpu ");
  EXPECT_NE(st.find("\nbtime "), std::string::npos);
  struct utsname u;
  ASSERT_THAT(uname(&u), SyscallSucceeds());
  std::string v = ReadFile("/proc/version");
  EXPECT_EQ(v.rfind("Linux version ", 0), 0u);
  EXPECT_EQ(ReadFile("/proc/sys/kernel/ostype"), "Linux\n");
  EXPECT_EQ(ReadFile("/proc/sys/kernel/osrelease"), std::string(u.release) + "\n");
  EXPECT_EQ(ReadFile("/proc/sys/kernel/hostname"), std::string(u.nodename) + "\n");
  long pid_max = atol(ReadFile("/proc/sys/kernel/pid_max").c_str());
  EXPECT_GT(pid_max, 0);
  EXPECT_NE(ReadFile("/proc/filesystems").find("\ttmpfs\n"), std::string::npos);
  EXPECT_NE(ReadFile("/proc/cpuinfo").find("processor"), std::string::npos);
  std::string boot1 = ReadFile("/proc/sys/kernel/random/boot_id");
  EXPECT_EQ(boot1.size(), 37u);
  EXPECT_EQ(boot1, ReadFile("/proc/sys/kernel/random/boot_id"));
}

TEST(ProcTest, ListingHasSelfAndUs) {
  std::set<std::string> names;
  DIR* d = opendir("/proc");
  ASSERT_NE(d, nullptr);
  while (struct dirent* e = readdir(d)) names.insert(e->d_name);
  closedir(d);
  EXPECT_TRUE(names.count("self"));
  EXPECT_TRUE(names.count(std::to_string(getpid())));
  EXPECT_TRUE(names.count("meminfo"));
  EXPECT_TRUE(names.count("sys"));
}

}  // namespace
