// The i386 system call gate, `int $0x80`, used from 64-bit code. Linux
// dispatches it through the i386 table with i386 registers (eax = number;
// ebx, ecx, edx = arguments) and truncates arguments to 32 bits, so memory
// arguments must live below 4 GiB: they come from mmap(MAP_32BIT).
//
// Only the low 32 bits of the result (eax) are part of the i386 ABI; the
// checks below look at nothing else. exit (1) is not tested: it would end the
// test process, and these tests stay fork-free.
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "test_util.h"

namespace {

// i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl).
constexpr long kI386Exit = 1;
constexpr long kI386Write = 4;
constexpr long kI386Time = 13;
constexpr long kI386Getpid = 20;
constexpr long kI386Brk = 45;
constexpr long kI386Getppid = 64;
constexpr long kI386Uname = 122;  // newuname: struct new_utsname, same layout as x86-64
constexpr long kI386Gettid = 224;
static_assert(kI386Exit == 1);

// Returns eax, sign-extended, so that -errno comes back as a negative number.
int32_t Int80(long nr, long a1 = 0, long a2 = 0, long a3 = 0) {
  long ret;
  // Conservative clobbers: the 64-bit int 0x80 path has not always preserved
  // r8-r11 across kernel versions, and a sandbox may differ.
  asm volatile("int $0x80"
               : "=a"(ret)
               : "a"(nr), "b"(a1), "c"(a2), "d"(a3)
               : "memory", "cc", "r8", "r9", "r10", "r11");
  return static_cast<int32_t>(ret);
}

// One page below 4 GiB for buffers passed to i386 calls.
class Int80Test : public ::testing::Test {
 protected:
  void SetUp() override {
    void* p = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
                   -1, 0);
    ASSERT_NE(p, MAP_FAILED) << "mmap(MAP_32BIT): " << conformance::ErrnoName(errno);
    low_ = static_cast<char*>(p);
    ASSERT_LT(reinterpret_cast<uintptr_t>(low_) + 4096, uintptr_t{1} << 32);
  }
  void TearDown() override {
    if (low_ != nullptr) munmap(low_, 4096);
  }
  long LowAddr() const { return static_cast<long>(reinterpret_cast<uintptr_t>(low_)); }

  char* low_ = nullptr;
};

TEST_F(Int80Test, WriteToStdout) {
  fflush(stdout);
  static const char kMsg[] = "int80_test: hello from int $0x80 write\n";
  memcpy(low_, kMsg, sizeof(kMsg) - 1);
  EXPECT_EQ(Int80(kI386Write, STDOUT_FILENO, LowAddr(), sizeof(kMsg) - 1),
            static_cast<int32_t>(sizeof(kMsg) - 1));
}

TEST_F(Int80Test, WriteZeroBytes) {
  EXPECT_EQ(Int80(kI386Write, STDOUT_FILENO, LowAddr(), 0), 0);
}

TEST_F(Int80Test, WriteBadFdReturnsNegativeErrno) {
  low_[0] = 'x';
  // ebx = 0xffffffff is fd -1 once truncated to 32 bits.
  EXPECT_EQ(Int80(kI386Write, -1, LowAddr(), 1), -EBADF);
  EXPECT_EQ(Int80(kI386Write, 1000000, LowAddr(), 1), -EBADF);
}

TEST_F(Int80Test, WriteBadBufferReturnsEFAULT) {
  if (conformance::StdoutDiscardsWrites()) GTEST_SKIP() << "stdout is /dev/null";
  // Address 1 is never mapped.
  EXPECT_EQ(Int80(kI386Write, STDOUT_FILENO, 1, 1), -EFAULT);
}

TEST_F(Int80Test, Getpid) {
  // 20 is writev in the 64-bit table; getting our pid proves the i386 table.
  EXPECT_EQ(Int80(kI386Getpid), getpid());
}

TEST_F(Int80Test, Getppid) { EXPECT_EQ(Int80(kI386Getppid), getppid()); }

TEST_F(Int80Test, Gettid) { EXPECT_EQ(Int80(kI386Gettid), static_cast<int32_t>(gettid())); }

TEST_F(Int80Test, BrkQuery) {
  const long brk64 = syscall(SYS_brk, 0);
  EXPECT_EQ(static_cast<uint32_t>(Int80(kI386Brk, 0)), static_cast<uint32_t>(brk64));
}

TEST_F(Int80Test, Uname) {
  memset(low_, 0x55, sizeof(struct utsname));
  ASSERT_EQ(Int80(kI386Uname, LowAddr()), 0);
  const struct utsname* u = reinterpret_cast<const struct utsname*>(low_);
  struct utsname native;
  ASSERT_THAT(uname(&native), SyscallSucceeds());
  EXPECT_STREQ(u->sysname, "Linux");
  EXPECT_STREQ(u->sysname, native.sysname);
  EXPECT_STREQ(u->nodename, native.nodename);
  EXPECT_STREQ(u->release, native.release);
  EXPECT_STREQ(u->machine, native.machine);
}

TEST_F(Int80Test, UnameBadPointer) { EXPECT_EQ(Int80(kI386Uname, 1), -EFAULT); }

TEST_F(Int80Test, Time) {
  const long before = syscall(SYS_time, nullptr);
  const int32_t t = Int80(kI386Time, 0);
  const long after = syscall(SYS_time, nullptr);
  EXPECT_GE(t, static_cast<int32_t>(before));
  EXPECT_LE(t, static_cast<int32_t>(after));
}

TEST_F(Int80Test, TimeStoresA32BitValue) {
  // i386 time_t is 32 bits: the kernel stores exactly 4 bytes.
  memset(low_, 0x55, 16);
  const int32_t t = Int80(kI386Time, LowAddr());
  int32_t stored;
  memcpy(&stored, low_, sizeof(stored));
  EXPECT_EQ(stored, t);
  EXPECT_EQ(static_cast<unsigned char>(low_[4]), 0x55) << "wrote past a 32-bit time_t";
}

TEST_F(Int80Test, UnknownNumberIsENOSYS) {
  EXPECT_EQ(Int80(100000), -ENOSYS);
}

// A 64-bit syscall still works right after int 0x80 calls (no mode confusion).
TEST_F(Int80Test, MixedWithSyscallInstruction) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(Int80(kI386Getpid), getpid());
    ASSERT_EQ(syscall(SYS_getpid), getpid());
  }
}

}  // namespace
