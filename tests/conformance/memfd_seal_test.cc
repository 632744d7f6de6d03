// memfd_create(2) and file sealing (fcntl F_ADD_SEALS/F_GET_SEALS), file
// leases and F_NOTIFY where they agree with Linux on any filesystem.
//
// Linux: a memfd made without MFD_ALLOW_SEALING starts (like every shmem
// file) with F_SEAL_SEAL; F_ADD_SEALS needs a description open for writing
// (EPERM), known bits (EINVAL), no F_SEAL_SEAL yet (EPERM), and for
// F_SEAL_WRITE no writable shared mapping (EBUSY). Writes, truncation,
// fallocate and mmap are then refused with EPERM as each seal says.
#include <fcntl.h>
#include <linux/falloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

using conformance::SyscallFailsWithErrno;
using conformance::SyscallSucceeds;
using conformance::SyscallSucceedsWithValue;

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif

int Memfd(const char* name, unsigned flags) {
  return static_cast<int>(syscall(SYS_memfd_create, name, flags));
}

struct Fd {
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  int fd;
};

TEST(MemfdSeal, WithoutAllowSealingHasSealSeal) {
  Fd m(Memfd("plain", MFD_CLOEXEC));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  EXPECT_THAT(fcntl(m.fd, F_GET_SEALS), SyscallSucceedsWithValue(F_SEAL_SEAL));
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EPERM));
  // Still writable.
  EXPECT_THAT(write(m.fd, "abc", 3), SyscallSucceedsWithValue(3));
}

TEST(MemfdSeal, AllowSealingStartsEmpty) {
  Fd m(Memfd("sealable", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  EXPECT_THAT(fcntl(m.fd, F_GET_SEALS), SyscallSucceedsWithValue(0));
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, 0), SyscallSucceeds());
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_SHRINK), SyscallSucceeds());
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_GROW), SyscallSucceeds());
  EXPECT_THAT(fcntl(m.fd, F_GET_SEALS),
              SyscallSucceedsWithValue(F_SEAL_SHRINK | F_SEAL_GROW));
  // Unknown bits.
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, 0x1000), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_SEAL), SyscallSucceeds());
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EPERM));
  // Adding nothing is still refused once sealed.
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, 0), SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(fcntl(m.fd, F_GET_SEALS),
              SyscallSucceedsWithValue(F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL));
}

TEST(MemfdSeal, ShrinkAndGrow) {
  Fd m(Memfd("size", MFD_ALLOW_SEALING));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  ASSERT_THAT(ftruncate(m.fd, 8192), SyscallSucceeds());
  ASSERT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_SHRINK), SyscallSucceeds());
  EXPECT_THAT(ftruncate(m.fd, 4096), SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(ftruncate(m.fd, 8192), SyscallSucceeds());
  EXPECT_THAT(ftruncate(m.fd, 16384), SyscallSucceeds());
  ASSERT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_GROW), SyscallSucceeds());
  EXPECT_THAT(ftruncate(m.fd, 32768), SyscallFailsWithErrno(EPERM));
  // Writes inside the file are fine; past its end they would grow it.
  EXPECT_THAT(pwrite(m.fd, "x", 1, 100), SyscallSucceedsWithValue(1));
  EXPECT_THAT(pwrite(m.fd, "x", 1, 16384), SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(fallocate(m.fd, 0, 0, 65536), SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(fallocate(m.fd, FALLOC_FL_KEEP_SIZE, 0, 4096), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(fstat(m.fd, &st), SyscallSucceeds());
  EXPECT_EQ(st.st_size, 16384);
}

TEST(MemfdSeal, WriteSeal) {
  Fd m(Memfd("write", MFD_ALLOW_SEALING));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  ASSERT_THAT(write(m.fd, "hello", 5), SyscallSucceedsWithValue(5));
  ASSERT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallSucceeds());
  EXPECT_THAT(write(m.fd, "x", 1), SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(pwrite(m.fd, "x", 1, 0), SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(fallocate(m.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096),
              SyscallFailsWithErrno(EPERM));
  // No writable shared mapping; a private one (copy on write) is fine.
  EXPECT_EQ(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0),
            MAP_FAILED);
  EXPECT_EQ(errno, EPERM);
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, m.fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  static_cast<char*>(p)[0] = 'J';
  EXPECT_EQ(std::string(static_cast<char*>(p), 5), "Jello");
  munmap(p, 4096);
  // A read-only shared mapping can never be made writable.
  p = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, m.fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_EQ(std::string(static_cast<char*>(p), 5), "hello");
  EXPECT_THAT(mprotect(p, 4096, PROT_READ | PROT_WRITE), SyscallFailsWithErrno(EACCES));
  munmap(p, 4096);
  char buf[8] = {};
  EXPECT_THAT(pread(m.fd, buf, 5, 0), SyscallSucceedsWithValue(5));
  EXPECT_STREQ(buf, "hello");
}

TEST(MemfdSeal, WriteSealBusyWhileMappedShared) {
  Fd m(Memfd("busy", MFD_ALLOW_SEALING));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  ASSERT_THAT(ftruncate(m.fd, 4096), SyscallSucceeds());
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EBUSY));
  // A read-only shared mapping of a writable description counts too (it
  // could be mprotect()ed writable).
  void* q = mmap(nullptr, 4096, PROT_READ, MAP_SHARED, m.fd, 0);
  ASSERT_NE(q, MAP_FAILED);
  ASSERT_THAT(munmap(p, 4096), SyscallSucceeds());
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EBUSY));
  ASSERT_THAT(munmap(q, 4096), SyscallSucceeds());
  // Private mappings never count.
  void* r = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, m.fd, 0);
  ASSERT_NE(r, MAP_FAILED);
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallSucceeds());
  munmap(r, 4096);
  EXPECT_THAT(fcntl(m.fd, F_GET_SEALS), SyscallSucceedsWithValue(F_SEAL_WRITE));
}

TEST(MemfdSeal, WriteSealBusyAfterForkUntilChildUnmaps) {
  Fd m(Memfd("fork", MFD_ALLOW_SEALING));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  ASSERT_THAT(ftruncate(m.fd, 4096), SyscallSucceeds());
  void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0);
  ASSERT_NE(p, MAP_FAILED);
  int go[2], done[2];
  ASSERT_THAT(pipe(go), SyscallSucceeds());
  ASSERT_THAT(pipe(done), SyscallSucceeds());
  pid_t child = fork();
  if (child == 0) {
    char c;
    if (read(go[0], &c, 1) != 1) _exit(1);
    munmap(p, 4096);
    if (write(done[1], "x", 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  ASSERT_THAT(munmap(p, 4096), SyscallSucceeds());
  // The child's copy of the mapping still counts.
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EBUSY));
  ASSERT_THAT(write(go[1], "x", 1), SyscallSucceeds());
  char c;
  ASSERT_THAT(read(done[0], &c, 1), SyscallSucceedsWithValue(1));
  EXPECT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallSucceeds());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  for (int fd : {go[0], go[1], done[0], done[1]}) close(fd);
}

TEST(MemfdSeal, FutureWriteKeepsExistingMapping) {
  Fd m(Memfd("future", MFD_ALLOW_SEALING));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  ASSERT_THAT(ftruncate(m.fd, 4096), SyscallSucceeds());
  char* p = static_cast<char*>(
      mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), SyscallSucceeds());
  // The existing writable mapping still writes the file...
  p[0] = 'Z';
  char c = 0;
  EXPECT_THAT(pread(m.fd, &c, 1, 0), SyscallSucceedsWithValue(1));
  EXPECT_EQ(c, 'Z');
  // ...but no new writes or writable shared mappings.
  EXPECT_THAT(pwrite(m.fd, "x", 1, 0), SyscallFailsWithErrno(EPERM));
  EXPECT_EQ(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, 0),
            MAP_FAILED);
  EXPECT_EQ(errno, EPERM);
  munmap(p, 4096);
}

TEST(MemfdSeal, AddSealsNeedsWritableDescription) {
  Fd m(Memfd("ro", MFD_ALLOW_SEALING));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  std::string path = "/proc/self/fd/" + std::to_string(m.fd);
  Fd ro(open(path.c_str(), O_RDONLY));
  ASSERT_THAT(ro.fd, SyscallSucceeds());
  // EPERM is checked before the bits.
  EXPECT_THAT(fcntl(ro.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EPERM));
  EXPECT_THAT(fcntl(ro.fd, F_ADD_SEALS, 0x1000), SyscallFailsWithErrno(EPERM));
  // Seals belong to the file, not the description.
  ASSERT_THAT(fcntl(m.fd, F_ADD_SEALS, F_SEAL_GROW), SyscallSucceeds());
  EXPECT_THAT(fcntl(ro.fd, F_GET_SEALS), SyscallSucceedsWithValue(F_SEAL_GROW));
}

TEST(MemfdSeal, NotSealableFiles) {
  // Pipes: no seals at all (EINVAL), whether or not open for writing.
  int p[2];
  ASSERT_THAT(pipe(p), SyscallSucceeds());
  EXPECT_THAT(fcntl(p[1], F_GET_SEALS), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(fcntl(p[1], F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(fcntl(p[0], F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EPERM));
  close(p[0]);
  close(p[1]);
  // A tmpfs file (/dev/shm is tmpfs natively and in the sandbox) carries
  // F_SEAL_SEAL from its creation.
  char path[] = "/dev/shm/seal-test.XXXXXX";
  Fd f(mkstemp(path));
  ASSERT_THAT(f.fd, SyscallSucceeds());
  unlink(path);
  EXPECT_THAT(fcntl(f.fd, F_GET_SEALS), SyscallSucceedsWithValue(F_SEAL_SEAL));
  EXPECT_THAT(fcntl(f.fd, F_ADD_SEALS, F_SEAL_WRITE), SyscallFailsWithErrno(EPERM));
}

TEST(MemfdSeal, CreateFlags) {
  EXPECT_THAT(Memfd("bad", 0x1000), SyscallFailsWithErrno(EINVAL));
  std::string long_name(250, 'n');
  EXPECT_THAT(Memfd(long_name.c_str(), 0), SyscallFailsWithErrno(EINVAL));
  Fd ok(Memfd(std::string(249, 'n').c_str(), 0));
  EXPECT_THAT(ok.fd, SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_memfd_create, nullptr, 0), SyscallFailsWithErrno(EFAULT));
}

// Leases: no filesystem here grants them. What agrees with Linux whatever
// the filesystem: no lease is held on a new file, and an unknown lease
// type is EINVAL.
TEST(Lease, GetLeaseIsUnlockedAndBadTypeIsEinval) {
  Fd m(Memfd("lease", 0));
  ASSERT_THAT(m.fd, SyscallSucceeds());
  EXPECT_THAT(fcntl(m.fd, F_GETLEASE), SyscallSucceedsWithValue(F_UNLCK));
  EXPECT_THAT(fcntl(m.fd, F_SETLEASE, 42), SyscallFailsWithErrno(EINVAL));
  int p[2];
  ASSERT_THAT(pipe(p), SyscallSucceeds());
  // Leases are for regular files only.
  EXPECT_THAT(fcntl(p[0], F_SETLEASE, F_RDLCK), SyscallFailsWithErrno(EINVAL));
  close(p[0]);
  close(p[1]);
}

}  // namespace
