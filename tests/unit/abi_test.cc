// Tests for abi/: syscall tables against the host's <asm/unistd_*.h>, struct
// layouts against glibc's, errno and signal names.
//
// This file is compiled twice (see tests/unit/CMakeLists.txt). With
// ABI_TEST_I386_HOST_TU defined it is a separate translation unit that
// includes <asm/unistd_32.h>, whose __NR_* macros would clash with the
// x86_64 ones that <unistd.h> pulls into the main unit.

#if defined(ABI_TEST_I386_HOST_TU)

#include <asm/unistd_32.h>

#include "abi/syscalls.h"

// i386 syscalls whose numbers must match the host header at compile time.
// (The runtime test HostI386HeaderMatchesTable checks every entry.)
#define ABI_TEST_I386_SAMPLE(X)                                                                  \
  X(restart_syscall) X(exit) X(fork) X(read) X(write) X(open) X(close) X(waitpid) X(creat)       \
  X(link) X(unlink) X(execve) X(chdir) X(time) X(mknod) X(chmod) X(lchown) X(break) X(oldstat)  \
  X(lseek) X(getpid) X(mount) X(umount) X(setuid) X(getuid) X(stime) X(ptrace) X(alarm)          \
  X(oldfstat) X(pause) X(utime) X(access) X(nice) X(sync) X(kill) X(rename) X(mkdir) X(rmdir)    \
  X(dup) X(pipe) X(times) X(brk) X(signal) X(ioctl) X(fcntl) X(setpgid) X(olduname) X(umask)     \
  X(dup2) X(getppid) X(sigaction) X(sgetmask) X(ssetmask) X(sigsuspend) X(gettimeofday)          \
  X(select) X(symlink) X(readlink) X(mmap) X(munmap) X(socketcall) X(ipc) X(sigreturn)           \
  X(clone) X(uname) X(modify_ldt) X(mprotect) X(sigprocmask) X(_llseek) X(getdents)              \
  X(_newselect) X(readv) X(writev) X(nanosleep) X(mremap) X(poll) X(rt_sigreturn)                \
  X(rt_sigaction) X(rt_sigprocmask) X(pread64) X(getcwd) X(sigaltstack) X(vfork) X(ugetrlimit)   \
  X(mmap2) X(truncate64) X(stat64) X(lstat64) X(fstat64) X(getuid32) X(setuid32) X(getdents64)   \
  X(fcntl64) X(gettid) X(futex) X(set_thread_area) X(get_thread_area) X(exit_group)              \
  X(set_tid_address) X(clock_gettime) X(statfs64) X(tgkill) X(openat) X(fstatat64) X(waitid)     \
  X(socket) X(socketpair) X(connect) X(set_robust_list) X(pipe2) X(prlimit64) X(getrandom)       \
  X(memfd_create) X(execveat) X(statx) X(clock_gettime64) X(futex_time64) X(rseq) X(clone3)      \
  X(pidfd_open) X(close_range) X(futex_waitv) X(set_mempolicy_home_node)

#define ABI_TEST_CHECK_I386(name) \
  static_assert(uapi::i386::NR_##name == __NR_##name, "i386 " #name);
ABI_TEST_I386_SAMPLE(ABI_TEST_CHECK_I386)
#undef ABI_TEST_CHECK_I386

#else  // !ABI_TEST_I386_HOST_TU

#include <asm/unistd_64.h>
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <ucontext.h>

#include <cerrno>
#include <cstddef>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <type_traits>

#include "abi/linux/auxv.h"
#include "abi/linux/dirent.h"
#include "abi/linux/elf.h"
#include "abi/linux/errno.h"
#include "abi/linux/ptrace.h"
#include "abi/linux/resource.h"
#include "abi/linux/signal.h"
#include "abi/linux/signal_names.h"
#include "abi/linux/stat.h"
#include "abi/linux/sysinfo.h"
#include "abi/linux/time.h"
#include "abi/linux/uio.h"
#include "abi/linux/utsname.h"
#include "abi/syscalls.h"

namespace {

// ---------------------------------------------------------------------------
// Syscall tables.

#define ABI_TEST_AMD64_SAMPLE(X)                                                                  \
  X(read) X(write) X(open) X(close) X(stat) X(fstat) X(lstat) X(poll) X(lseek) X(mmap)           \
  X(mprotect) X(munmap) X(brk) X(rt_sigaction) X(rt_sigprocmask) X(rt_sigreturn) X(ioctl)        \
  X(pread64) X(pwrite64) X(readv) X(writev) X(access) X(pipe) X(select) X(sched_yield) X(mremap) \
  X(msync) X(mincore) X(madvise) X(dup) X(dup2) X(pause) X(nanosleep) X(getitimer) X(alarm)      \
  X(setitimer) X(getpid) X(sendfile) X(socket) X(connect) X(accept) X(sendto) X(recvfrom)        \
  X(sendmsg) X(recvmsg) X(shutdown) X(bind) X(listen) X(getsockname) X(getpeername)              \
  X(socketpair) X(setsockopt) X(getsockopt) X(clone) X(fork) X(vfork) X(execve) X(exit) X(wait4) \
  X(kill) X(uname) X(fcntl) X(flock) X(fsync) X(getdents) X(getcwd) X(chdir) X(rename) X(mkdir)  \
  X(rmdir) X(link) X(unlink) X(symlink) X(readlink) X(chmod) X(umask) X(gettimeofday)            \
  X(getrlimit) X(getrusage) X(sysinfo) X(times) X(ptrace) X(getuid) X(getgid) X(setuid)          \
  X(geteuid) X(getppid) X(setsid) X(sigaltstack) X(arch_prctl) X(gettid) X(futex)                \
  X(set_tid_address) X(getdents64) X(clock_gettime) X(clock_nanosleep) X(exit_group)             \
  X(epoll_wait) X(tgkill) X(openat) X(newfstatat) X(pselect6) X(ppoll) X(set_robust_list)        \
  X(get_robust_list) X(pipe2) X(prlimit64) X(getrandom) X(memfd_create) X(execveat) X(statx)     \
  X(rseq) X(pidfd_open) X(clone3) X(close_range) X(openat2) X(faccessat2) X(epoll_pwait2)        \
  X(futex_waitv) X(set_mempolicy_home_node)

#define ABI_TEST_CHECK_AMD64(name) \
  static_assert(uapi::amd64::NR_##name == __NR_##name, "amd64 " #name);
ABI_TEST_AMD64_SAMPLE(ABI_TEST_CHECK_AMD64)
#undef ABI_TEST_CHECK_AMD64

// Reads "#define __NR_<name> <nr>" lines of a host header. Empty if the file
// cannot be read.
std::map<std::string, int> ReadHostUnistd(const std::string& path) {
  std::map<std::string, int> out;
  std::ifstream in(path);
  const std::regex re(R"(^#define\s+__NR_(\w+)\s+(\d+)\s*$)");
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, re)) out[m[1]] = std::stoi(m[2]);
  }
  return out;
}

constexpr char kHostUnistd64[] = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";
constexpr char kHostUnistd32[] = "/usr/include/x86_64-linux-gnu/asm/unistd_32.h";

// Syscalls newer than the host's headers: numbers from the kernel's tables.
const std::map<std::string, int> kNewerThanHost = {
    {"cachestat", 451},         {"fchmodat2", 452},        {"map_shadow_stack", 453},
    {"futex_wake", 454},        {"futex_wait", 455},       {"futex_requeue", 456},
    {"statmount", 457},         {"listmount", 458},        {"lsm_get_self_attr", 459},
    {"lsm_set_self_attr", 460}, {"lsm_list_modules", 461}, {"mseal", 462},
};

template <std::size_t N>
void ExpectTableMatchesHost(const uapi::SyscallName (&table)[N], const std::string& header,
                            const char* arch) {
  const std::map<std::string, int> host = ReadHostUnistd(header);
  if (host.empty()) GTEST_SKIP() << "cannot read " << header;
  // Every host syscall is in the table with the same number.
  std::map<std::string, int> ours;
  for (const uapi::SyscallName& s : table) ours[s.name] = s.nr;
  for (const auto& [name, nr] : host) {
    auto it = ours.find(name);
    ASSERT_NE(it, ours.end()) << arch << ": host syscall " << name << " missing";
    EXPECT_EQ(it->second, nr) << arch << ": " << name;
  }
  // Every table entry is either in the host header or a known newer one.
  for (const uapi::SyscallName& s : table) {
    if (host.count(s.name)) continue;
    auto it = kNewerThanHost.find(s.name);
    ASSERT_NE(it, kNewerThanHost.end()) << arch << ": unexpected syscall " << s.name;
    EXPECT_EQ(it->second, s.nr) << arch << ": " << s.name;
  }
}

TEST(SyscallTableTest, HostAmd64HeaderMatchesTable) {
  ExpectTableMatchesHost(uapi::amd64::kSyscalls, kHostUnistd64, "amd64");
}

TEST(SyscallTableTest, HostI386HeaderMatchesTable) {
  ExpectTableMatchesHost(uapi::i386::kSyscalls, kHostUnistd32, "i386");
}

template <std::size_t N>
void ExpectSortedUnique(const uapi::SyscallName (&table)[N], int max_nr) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) {
      EXPECT_LT(table[i - 1].nr, table[i].nr);
    }
    EXPECT_TRUE(names.insert(table[i].name).second) << table[i].name;
  }
  EXPECT_EQ(table[N - 1].nr, max_nr);
}

TEST(SyscallTableTest, TablesAreSortedAndUnique) {
  ExpectSortedUnique(uapi::amd64::kSyscalls, uapi::amd64::kMaxNr);
  ExpectSortedUnique(uapi::i386::kSyscalls, uapi::i386::kMaxNr);
  EXPECT_EQ(std::size(uapi::amd64::kSyscalls), static_cast<std::size_t>(uapi::amd64::kNumSyscalls));
  EXPECT_EQ(std::size(uapi::i386::kSyscalls), static_cast<std::size_t>(uapi::i386::kNumSyscalls));
}

TEST(SyscallTableTest, KnownNumbers) {
  static_assert(uapi::amd64::NR_read == 0);
  static_assert(uapi::amd64::NR_exit == 60);
  static_assert(uapi::amd64::NR_exit_group == 231);
  static_assert(uapi::amd64::NR_mseal == 462);
  static_assert(uapi::amd64::kMaxNr == 462);
  static_assert(uapi::i386::NR_restart_syscall == 0);
  static_assert(uapi::i386::NR_exit == 1);
  static_assert(uapi::i386::NR_socketcall == 102);
  static_assert(uapi::i386::NR_exit_group == 252);
  static_assert(uapi::i386::NR_mseal == 462);
  static_assert(uapi::i386::kMaxNr == 462);
  EXPECT_EQ(uapi::amd64::kSyscalls[0].nr, 0);
  EXPECT_STREQ(uapi::amd64::kSyscalls[0].name, "read");
  EXPECT_STREQ(uapi::i386::kSyscalls[1].name, "exit");
}

TEST(SyscallTableTest, NameLookup) {
  EXPECT_STREQ(uapi::Amd64SyscallName(0), "read");
  EXPECT_STREQ(uapi::Amd64SyscallName(59), "execve");
  EXPECT_STREQ(uapi::Amd64SyscallName(231), "exit_group");
  EXPECT_STREQ(uapi::Amd64SyscallName(334), "rseq");
  EXPECT_STREQ(uapi::Amd64SyscallName(424), "pidfd_send_signal");
  EXPECT_STREQ(uapi::Amd64SyscallName(453), "map_shadow_stack");
  EXPECT_STREQ(uapi::Amd64SyscallName(462), "mseal");
  EXPECT_EQ(uapi::Amd64SyscallName(335), nullptr);  // gap before 424
  EXPECT_EQ(uapi::Amd64SyscallName(512), nullptr);  // x32 range not included
  EXPECT_EQ(uapi::Amd64SyscallName(-1), nullptr);
  EXPECT_EQ(uapi::Amd64SyscallName(uapi::amd64::kMaxNr + 1), nullptr);

  EXPECT_STREQ(uapi::I386SyscallName(0), "restart_syscall");
  EXPECT_STREQ(uapi::I386SyscallName(1), "exit");
  EXPECT_STREQ(uapi::I386SyscallName(11), "execve");
  EXPECT_STREQ(uapi::I386SyscallName(17), "break");
  EXPECT_STREQ(uapi::I386SyscallName(192), "mmap2");
  EXPECT_STREQ(uapi::I386SyscallName(252), "exit_group");
  EXPECT_STREQ(uapi::I386SyscallName(462), "mseal");
  EXPECT_EQ(uapi::I386SyscallName(222), nullptr);  // unused number
  EXPECT_EQ(uapi::I386SyscallName(453), nullptr);  // map_shadow_stack is 64-bit only
  EXPECT_EQ(uapi::I386SyscallName(-5), nullptr);
  EXPECT_EQ(uapi::I386SyscallName(100000), nullptr);

  // Every table entry is found by both lookups.
  for (const uapi::SyscallName& s : uapi::amd64::kSyscalls) {
    EXPECT_STREQ(uapi::Amd64SyscallName(s.nr), s.name);
    EXPECT_EQ(uapi::Amd64SyscallNr(s.name), s.nr);
  }
  for (const uapi::SyscallName& s : uapi::i386::kSyscalls) {
    EXPECT_STREQ(uapi::I386SyscallName(s.nr), s.name);
    EXPECT_EQ(uapi::I386SyscallNr(s.name), s.nr);
  }
  EXPECT_EQ(uapi::Amd64SyscallNr("socketcall"), -1);
  EXPECT_EQ(uapi::I386SyscallNr("arch_prctl"), 384);
  EXPECT_EQ(uapi::I386SyscallNr("no_such_call"), -1);
}

// ---------------------------------------------------------------------------
// errno and signal names.

TEST(ErrnoTest, Names) {
  EXPECT_STREQ(uapi::ErrnoName(ENOENT), "ENOENT");
  EXPECT_STREQ(uapi::ErrnoName(EPERM), "EPERM");
  EXPECT_STREQ(uapi::ErrnoName(EWOULDBLOCK), "EAGAIN");
  EXPECT_STREQ(uapi::ErrnoName(EDEADLOCK), "EDEADLK");
  EXPECT_STREQ(uapi::ErrnoName(ENOTSUP), "EOPNOTSUPP");
  EXPECT_STREQ(uapi::ErrnoName(EHWPOISON), "EHWPOISON");
  EXPECT_EQ(uapi::ErrnoName(0), nullptr);
  EXPECT_EQ(uapi::ErrnoName(-1), nullptr);
  EXPECT_EQ(uapi::ErrnoName(41), nullptr);
  EXPECT_EQ(uapi::ErrnoName(58), nullptr);
  EXPECT_EQ(uapi::ErrnoName(134), nullptr);
  EXPECT_EQ(uapi::ErrnoName(511), nullptr);
  EXPECT_STREQ(uapi::ErrnoName(uapi::kERESTARTSYS), "ERESTARTSYS");
  EXPECT_STREQ(uapi::ErrnoName(uapi::kERESTART_RESTARTBLOCK), "ERESTART_RESTARTBLOCK");
  EXPECT_EQ(uapi::ErrnoName(517), nullptr);
}

TEST(ErrnoTest, MatchesGlibcNames) {
  for (int e = -2; e <= 140; ++e) {
    if (e == 0) continue;  // glibc names 0 "0"
    const char* glibc = strerrorname_np(e);
    const char* ours = uapi::ErrnoName(e);
    if (glibc == nullptr) {
      EXPECT_EQ(ours, nullptr) << e;
    } else {
      ASSERT_NE(ours, nullptr) << e;
      EXPECT_STREQ(ours, glibc) << e;
    }
  }
}

TEST(ErrnoTest, RestartCodes) {
  static_assert(uapi::kERESTARTSYS == 512);
  static_assert(uapi::kERESTARTNOINTR == 513);
  static_assert(uapi::kERESTARTNOHAND == 514);
  static_assert(uapi::kENOIOCTLCMD == 515);
  static_assert(uapi::kERESTART_RESTARTBLOCK == 516);
  EXPECT_TRUE(uapi::IsRestartErrno(uapi::kERESTARTSYS));
  EXPECT_TRUE(uapi::IsRestartErrno(uapi::kERESTART_RESTARTBLOCK));
  EXPECT_FALSE(uapi::IsRestartErrno(uapi::kENOIOCTLCMD));
  EXPECT_FALSE(uapi::IsRestartErrno(EINTR));
}

TEST(SignalNameTest, Names) {
  EXPECT_STREQ(uapi::SignalName(SIGSEGV), "SIGSEGV");
  EXPECT_STREQ(uapi::SignalName(SIGKILL), "SIGKILL");
  EXPECT_STREQ(uapi::SignalName(SIGIO), "SIGIO");
  EXPECT_STREQ(uapi::SignalName(SIGSYS), "SIGSYS");
  EXPECT_STREQ(uapi::SignalName(32), "SIGRTMIN");
  EXPECT_STREQ(uapi::SignalName(33), "SIGRT_1");
  EXPECT_STREQ(uapi::SignalName(35), "SIGRT_3");
  EXPECT_STREQ(uapi::SignalName(64), "SIGRT_32");
  EXPECT_EQ(uapi::SignalName(0), nullptr);
  EXPECT_EQ(uapi::SignalName(65), nullptr);
  EXPECT_EQ(uapi::SignalName(-1), nullptr);
  for (int sig = 1; sig < 32; ++sig) {
    if (sig == SIGIO) continue;  // glibc abbreviates 29 as "POLL"
    ASSERT_NE(sigabbrev_np(sig), nullptr);
    EXPECT_EQ(std::string("SIG") + sigabbrev_np(sig), uapi::SignalName(sig)) << sig;
  }
}

// ---------------------------------------------------------------------------
// Struct layouts against glibc's x86_64 definitions.

#define EXPECT_SAME_OFFSET(ours, our_field, theirs, their_field) \
  EXPECT_EQ(offsetof(ours, our_field), offsetof(theirs, their_field)) << #our_field

template <typename T>
constexpr bool kIsPlainData = std::is_trivially_copyable_v<T> && std::is_standard_layout_v<T>;

TEST(LayoutTest, AllStructsArePlainData) {
  static_assert(kIsPlainData<uapi::Timespec> && kIsPlainData<uapi::Timeval> &&
                kIsPlainData<uapi::Itimerspec> && kIsPlainData<uapi::Tms> &&
                kIsPlainData<uapi::Timespec32> && kIsPlainData<uapi::Stat> &&
                kIsPlainData<uapi::Stat64I386> && kIsPlainData<uapi::Statx> &&
                kIsPlainData<uapi::Iovec> && kIsPlainData<uapi::Rlimit> &&
                kIsPlainData<uapi::Rusage> && kIsPlainData<uapi::NewUtsname> &&
                kIsPlainData<uapi::Dirent64> && kIsPlainData<uapi::Siginfo> &&
                kIsPlainData<uapi::Sigaction> && kIsPlainData<uapi::Stack> &&
                kIsPlainData<uapi::Ucontext> && kIsPlainData<uapi::RtSigframe> &&
                kIsPlainData<uapi::RtSigframe32> && kIsPlainData<uapi::Sigframe32> &&
                kIsPlainData<uapi::Elf64Ehdr> && kIsPlainData<uapi::Elf32Phdr> &&
                kIsPlainData<uapi::Sysinfo>);
}

TEST(LayoutTest, Time) {
  EXPECT_EQ(sizeof(uapi::Timespec), sizeof(struct timespec));
  EXPECT_SAME_OFFSET(uapi::Timespec, tv_nsec, struct timespec, tv_nsec);
  EXPECT_EQ(sizeof(uapi::Timeval), sizeof(struct timeval));
  EXPECT_SAME_OFFSET(uapi::Timeval, tv_usec, struct timeval, tv_usec);
  EXPECT_EQ(sizeof(uapi::Timezone), sizeof(struct timezone));
  EXPECT_EQ(sizeof(uapi::Itimerspec), sizeof(struct itimerspec));
  EXPECT_SAME_OFFSET(uapi::Itimerspec, it_value, struct itimerspec, it_value);
  EXPECT_EQ(sizeof(uapi::Itimerval), sizeof(struct itimerval));
  EXPECT_SAME_OFFSET(uapi::Itimerval, it_value, struct itimerval, it_value);
  EXPECT_EQ(sizeof(uapi::Tms), sizeof(struct tms));
  EXPECT_SAME_OFFSET(uapi::Tms, tms_cstime, struct tms, tms_cstime);
}

TEST(LayoutTest, Stat) {
  EXPECT_EQ(sizeof(uapi::Stat), sizeof(struct stat));
  EXPECT_SAME_OFFSET(uapi::Stat, st_dev, struct stat, st_dev);
  EXPECT_SAME_OFFSET(uapi::Stat, st_ino, struct stat, st_ino);
  EXPECT_SAME_OFFSET(uapi::Stat, st_nlink, struct stat, st_nlink);
  EXPECT_SAME_OFFSET(uapi::Stat, st_mode, struct stat, st_mode);
  EXPECT_SAME_OFFSET(uapi::Stat, st_uid, struct stat, st_uid);
  EXPECT_SAME_OFFSET(uapi::Stat, st_gid, struct stat, st_gid);
  EXPECT_SAME_OFFSET(uapi::Stat, st_rdev, struct stat, st_rdev);
  EXPECT_SAME_OFFSET(uapi::Stat, st_size, struct stat, st_size);
  EXPECT_SAME_OFFSET(uapi::Stat, st_blksize, struct stat, st_blksize);
  EXPECT_SAME_OFFSET(uapi::Stat, st_blocks, struct stat, st_blocks);
  EXPECT_SAME_OFFSET(uapi::Stat, st_atim, struct stat, st_atim);
  EXPECT_SAME_OFFSET(uapi::Stat, st_mtim, struct stat, st_mtim);
  EXPECT_SAME_OFFSET(uapi::Stat, st_ctim, struct stat, st_ctim);

  // A real fstat through glibc lands in the same bytes.
  struct stat host;
  ASSERT_EQ(fstat(0, &host) == 0 || fstat(1, &host) == 0 || stat("/", &host) == 0, true);
  uapi::Stat ours;
  static_assert(sizeof(ours) == sizeof(host));
  memcpy(&ours, &host, sizeof(ours));
  EXPECT_EQ(ours.st_ino, host.st_ino);
  EXPECT_EQ(ours.st_mode, host.st_mode);
  EXPECT_EQ(ours.st_mtim.tv_sec, host.st_mtime);
  EXPECT_EQ(ours.st_mtim.tv_nsec, host.st_mtim.tv_nsec);

  EXPECT_EQ(sizeof(uapi::Statx), sizeof(struct statx));
  EXPECT_EQ(sizeof(uapi::StatxTimestamp), sizeof(struct statx_timestamp));
  EXPECT_SAME_OFFSET(uapi::Statx, stx_blksize, struct statx, stx_blksize);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_attributes, struct statx, stx_attributes);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_nlink, struct statx, stx_nlink);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_mode, struct statx, stx_mode);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_ino, struct statx, stx_ino);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_attributes_mask, struct statx, stx_attributes_mask);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_atime, struct statx, stx_atime);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_btime, struct statx, stx_btime);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_ctime, struct statx, stx_ctime);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_mtime, struct statx, stx_mtime);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_rdev_major, struct statx, stx_rdev_major);
  EXPECT_SAME_OFFSET(uapi::Statx, stx_dev_minor, struct statx, stx_dev_minor);
  EXPECT_SAME_OFFSET(uapi::StatxTimestamp, tv_nsec, struct statx_timestamp, tv_nsec);

  EXPECT_EQ(uapi::kStatxType, STATX_TYPE);
  EXPECT_EQ(uapi::kStatxMode, STATX_MODE);
  EXPECT_EQ(uapi::kStatxNlink, STATX_NLINK);
  EXPECT_EQ(uapi::kStatxUid, STATX_UID);
  EXPECT_EQ(uapi::kStatxGid, STATX_GID);
  EXPECT_EQ(uapi::kStatxAtime, STATX_ATIME);
  EXPECT_EQ(uapi::kStatxMtime, STATX_MTIME);
  EXPECT_EQ(uapi::kStatxCtime, STATX_CTIME);
  EXPECT_EQ(uapi::kStatxIno, STATX_INO);
  EXPECT_EQ(uapi::kStatxSize, STATX_SIZE);
  EXPECT_EQ(uapi::kStatxBlocks, STATX_BLOCKS);
  EXPECT_EQ(uapi::kStatxBasicStats, STATX_BASIC_STATS);
  EXPECT_EQ(uapi::kStatxBtime, STATX_BTIME);
  EXPECT_EQ(uapi::kStatxAll, STATX_ALL);
  EXPECT_EQ(uapi::kStatxAttrImmutable, STATX_ATTR_IMMUTABLE);
  EXPECT_EQ(uapi::kStatxAttrAppend, STATX_ATTR_APPEND);
  EXPECT_EQ(uapi::kAtStatxSyncType, AT_STATX_SYNC_TYPE);
  EXPECT_EQ(uapi::kAtStatxForceSync, AT_STATX_FORCE_SYNC);
  EXPECT_EQ(uapi::kAtStatxDontSync, AT_STATX_DONT_SYNC);
}

TEST(LayoutTest, UioAndResource) {
  EXPECT_EQ(sizeof(uapi::Iovec), sizeof(struct iovec));
  EXPECT_SAME_OFFSET(uapi::Iovec, len, struct iovec, iov_len);
  EXPECT_EQ(uapi::kUioMaxIov, IOV_MAX);

  EXPECT_EQ(sizeof(uapi::Rlimit), sizeof(struct rlimit));
  EXPECT_SAME_OFFSET(uapi::Rlimit, max, struct rlimit, rlim_max);
  EXPECT_EQ(uapi::kRlimInfinity, RLIM_INFINITY);
  EXPECT_EQ(sizeof(uapi::Rusage), sizeof(struct rusage));
  EXPECT_SAME_OFFSET(uapi::Rusage, ru_stime, struct rusage, ru_stime);
  EXPECT_SAME_OFFSET(uapi::Rusage, ru_maxrss, struct rusage, ru_maxrss);
  EXPECT_SAME_OFFSET(uapi::Rusage, ru_minflt, struct rusage, ru_minflt);
  EXPECT_SAME_OFFSET(uapi::Rusage, ru_nvcsw, struct rusage, ru_nvcsw);
  EXPECT_SAME_OFFSET(uapi::Rusage, ru_nivcsw, struct rusage, ru_nivcsw);

  EXPECT_EQ(uapi::kRlimitCpu, RLIMIT_CPU);
  EXPECT_EQ(uapi::kRlimitFsize, RLIMIT_FSIZE);
  EXPECT_EQ(uapi::kRlimitData, RLIMIT_DATA);
  EXPECT_EQ(uapi::kRlimitStack, RLIMIT_STACK);
  EXPECT_EQ(uapi::kRlimitCore, RLIMIT_CORE);
  EXPECT_EQ(uapi::kRlimitRss, RLIMIT_RSS);
  EXPECT_EQ(uapi::kRlimitNproc, RLIMIT_NPROC);
  EXPECT_EQ(uapi::kRlimitNofile, RLIMIT_NOFILE);
  EXPECT_EQ(uapi::kRlimitMemlock, RLIMIT_MEMLOCK);
  EXPECT_EQ(uapi::kRlimitAs, RLIMIT_AS);
  EXPECT_EQ(uapi::kRlimitLocks, RLIMIT_LOCKS);
  EXPECT_EQ(uapi::kRlimitSigpending, RLIMIT_SIGPENDING);
  EXPECT_EQ(uapi::kRlimitMsgqueue, RLIMIT_MSGQUEUE);
  EXPECT_EQ(uapi::kRlimitNice, RLIMIT_NICE);
  EXPECT_EQ(uapi::kRlimitRtprio, RLIMIT_RTPRIO);
  EXPECT_EQ(uapi::kRlimitRttime, RLIMIT_RTTIME);
  EXPECT_EQ(uapi::kRlimitNlimits, RLIMIT_NLIMITS);
  EXPECT_EQ(uapi::kRusageSelf, RUSAGE_SELF);
  EXPECT_EQ(uapi::kRusageChildren, RUSAGE_CHILDREN);
  EXPECT_EQ(uapi::kRusageThread, RUSAGE_THREAD);
}

TEST(LayoutTest, UtsnameAndSysinfo) {
  EXPECT_EQ(sizeof(uapi::NewUtsname), sizeof(struct utsname));
  EXPECT_SAME_OFFSET(uapi::NewUtsname, nodename, struct utsname, nodename);
  EXPECT_SAME_OFFSET(uapi::NewUtsname, machine, struct utsname, machine);
  EXPECT_SAME_OFFSET(uapi::NewUtsname, domainname, struct utsname, domainname);

  EXPECT_EQ(sizeof(uapi::Sysinfo), sizeof(struct sysinfo));
  EXPECT_SAME_OFFSET(uapi::Sysinfo, loads, struct sysinfo, loads);
  EXPECT_SAME_OFFSET(uapi::Sysinfo, totalram, struct sysinfo, totalram);
  EXPECT_SAME_OFFSET(uapi::Sysinfo, freeswap, struct sysinfo, freeswap);
  EXPECT_SAME_OFFSET(uapi::Sysinfo, procs, struct sysinfo, procs);
  EXPECT_SAME_OFFSET(uapi::Sysinfo, totalhigh, struct sysinfo, totalhigh);
  EXPECT_SAME_OFFSET(uapi::Sysinfo, freehigh, struct sysinfo, freehigh);
  EXPECT_SAME_OFFSET(uapi::Sysinfo, mem_unit, struct sysinfo, mem_unit);
  EXPECT_EQ(1 << uapi::kSiLoadShift, 1 << SI_LOAD_SHIFT);
}

TEST(LayoutTest, Dirent) {
  EXPECT_SAME_OFFSET(uapi::Dirent64, d_ino, struct dirent64, d_ino);
  EXPECT_SAME_OFFSET(uapi::Dirent64, d_off, struct dirent64, d_off);
  EXPECT_SAME_OFFSET(uapi::Dirent64, d_reclen, struct dirent64, d_reclen);
  EXPECT_SAME_OFFSET(uapi::Dirent64, d_type, struct dirent64, d_type);
  EXPECT_SAME_OFFSET(uapi::Dirent64, d_name, struct dirent64, d_name);
  EXPECT_EQ(offsetof(uapi::Dirent64, d_name), uapi::kDirent64NameOffset);
  EXPECT_EQ(uapi::kDtUnknown, DT_UNKNOWN);
  EXPECT_EQ(uapi::kDtFifo, DT_FIFO);
  EXPECT_EQ(uapi::kDtChr, DT_CHR);
  EXPECT_EQ(uapi::kDtDir, DT_DIR);
  EXPECT_EQ(uapi::kDtBlk, DT_BLK);
  EXPECT_EQ(uapi::kDtReg, DT_REG);
  EXPECT_EQ(uapi::kDtLnk, DT_LNK);
  EXPECT_EQ(uapi::kDtSock, DT_SOCK);
  EXPECT_EQ(uapi::kDtWht, DT_WHT);
  EXPECT_EQ(uapi::DtFromMode(S_IFDIR | 0755), DT_DIR);
  EXPECT_EQ(uapi::DtFromMode(S_IFREG | 0644), DT_REG);
  EXPECT_EQ(uapi::DtFromMode(S_IFLNK | 0777), DT_LNK);
  EXPECT_EQ(uapi::DtFromMode(S_IFSOCK), DT_SOCK);
  EXPECT_EQ(uapi::Dirent64RecLen(1), 24u);
  EXPECT_EQ(uapi::Dirent64RecLen(4), 24u);
  EXPECT_EQ(uapi::Dirent64RecLen(5), 32u);
  EXPECT_EQ(uapi::DirentRecLen(1), 24u);
  EXPECT_EQ(uapi::DirentRecLen(5), 32u);
  EXPECT_EQ(uapi::Dirent32RecLen(1), 16u);
}

TEST(LayoutTest, Siginfo) {
  EXPECT_EQ(sizeof(uapi::Siginfo), sizeof(siginfo_t));
  EXPECT_SAME_OFFSET(uapi::Siginfo, si_signo, siginfo_t, si_signo);
  EXPECT_SAME_OFFSET(uapi::Siginfo, si_errno, siginfo_t, si_errno);
  EXPECT_SAME_OFFSET(uapi::Siginfo, si_code, siginfo_t, si_code);
  EXPECT_SAME_OFFSET(uapi::Siginfo, kill.pid, siginfo_t, si_pid);
  EXPECT_SAME_OFFSET(uapi::Siginfo, kill.uid, siginfo_t, si_uid);
  EXPECT_SAME_OFFSET(uapi::Siginfo, timer.tid, siginfo_t, si_timerid);
  EXPECT_SAME_OFFSET(uapi::Siginfo, timer.overrun, siginfo_t, si_overrun);
  EXPECT_SAME_OFFSET(uapi::Siginfo, timer.sigval, siginfo_t, si_value);
  EXPECT_SAME_OFFSET(uapi::Siginfo, rt.pid, siginfo_t, si_pid);
  EXPECT_SAME_OFFSET(uapi::Siginfo, rt.sigval, siginfo_t, si_value);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigchld.status, siginfo_t, si_status);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigchld.utime, siginfo_t, si_utime);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigchld.stime, siginfo_t, si_stime);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigfault.addr, siginfo_t, si_addr);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigfault.addr_lsb, siginfo_t, si_addr_lsb);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigfault.addr_bnd.lower, siginfo_t, si_lower);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigfault.addr_bnd.upper, siginfo_t, si_upper);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigfault.addr_pkey.pkey, siginfo_t, si_pkey);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigpoll.band, siginfo_t, si_band);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigpoll.fd, siginfo_t, si_fd);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigsys.call_addr, siginfo_t, si_call_addr);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigsys.syscall, siginfo_t, si_syscall);
  EXPECT_SAME_OFFSET(uapi::Siginfo, sigsys.arch, siginfo_t, si_arch);
}

TEST(LayoutTest, SignalContext) {
  EXPECT_EQ(sizeof(uapi::Stack), sizeof(stack_t));
  EXPECT_SAME_OFFSET(uapi::Stack, ss_sp, stack_t, ss_sp);
  EXPECT_SAME_OFFSET(uapi::Stack, ss_flags, stack_t, ss_flags);
  EXPECT_SAME_OFFSET(uapi::Stack, ss_size, stack_t, ss_size);

  EXPECT_EQ(sizeof(uapi::Sigcontext64), sizeof(struct sigcontext));
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, r8, struct sigcontext, r8);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, rdi, struct sigcontext, rdi);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, rax, struct sigcontext, rax);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, rsp, struct sigcontext, rsp);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, rip, struct sigcontext, rip);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, eflags, struct sigcontext, eflags);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, cs, struct sigcontext, cs);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, fs, struct sigcontext, fs);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, err, struct sigcontext, err);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, trapno, struct sigcontext, trapno);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, oldmask, struct sigcontext, oldmask);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, cr2, struct sigcontext, cr2);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, fpstate, struct sigcontext, fpstate);
  EXPECT_SAME_OFFSET(uapi::Sigcontext64, reserved1, struct sigcontext, __reserved1);

  // glibc's mcontext_t gregs[] index the same slots.
  EXPECT_EQ(offsetof(uapi::Sigcontext64, r8), REG_R8 * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, rdi), REG_RDI * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, rax), REG_RAX * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, rsp), REG_RSP * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, rip), REG_RIP * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, eflags), REG_EFL * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, cs), REG_CSGSFS * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, err), REG_ERR * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, trapno), REG_TRAPNO * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, oldmask), REG_OLDMASK * 8u);
  EXPECT_EQ(offsetof(uapi::Sigcontext64, cr2), REG_CR2 * 8u);

  // The kernel's ucontext is glibc's up to and including the start of
  // uc_sigmask (glibc's sigset_t is larger, and glibc appends the FP area).
  EXPECT_SAME_OFFSET(uapi::Ucontext, uc_flags, ucontext_t, uc_flags);
  EXPECT_SAME_OFFSET(uapi::Ucontext, uc_link, ucontext_t, uc_link);
  EXPECT_SAME_OFFSET(uapi::Ucontext, uc_stack, ucontext_t, uc_stack);
  EXPECT_SAME_OFFSET(uapi::Ucontext, uc_mcontext, ucontext_t, uc_mcontext);
  EXPECT_SAME_OFFSET(uapi::Ucontext, uc_sigmask, ucontext_t, uc_sigmask);
  EXPECT_EQ(sizeof(uapi::Sigcontext64), sizeof(mcontext_t));

  EXPECT_EQ(sizeof(uapi::Fpstate64), sizeof(struct _fpstate));
  EXPECT_SAME_OFFSET(uapi::Fpstate64, mxcsr, struct _fpstate, mxcsr);
  EXPECT_SAME_OFFSET(uapi::Fpstate64, st_space, struct _fpstate, _st);
  EXPECT_SAME_OFFSET(uapi::Fpstate64, xmm_space, struct _fpstate, _xmm);
  EXPECT_EQ(sizeof(uapi::Fpstate64), sizeof(uapi::UserFpregs));
  EXPECT_EQ(uapi::kFpXstateMagic1, FP_XSTATE_MAGIC1);
  EXPECT_EQ(uapi::kFpXstateMagic2, FP_XSTATE_MAGIC2);
  EXPECT_EQ(uapi::kFpXstateMagic2Size, FP_XSTATE_MAGIC2_SIZE);
  EXPECT_EQ(sizeof(uapi::FpxSwBytes), sizeof(struct _fpx_sw_bytes));
  EXPECT_SAME_OFFSET(uapi::FpxSwBytes, extended_size, struct _fpx_sw_bytes, extended_size);
  EXPECT_SAME_OFFSET(uapi::FpxSwBytes, xfeatures, struct _fpx_sw_bytes, xstate_bv);
  EXPECT_SAME_OFFSET(uapi::FpxSwBytes, xstate_size, struct _fpx_sw_bytes, xstate_size);
  EXPECT_EQ(sizeof(uapi::XstateHeader), sizeof(struct _xsave_hdr));

  EXPECT_EQ(sizeof(uapi::RtSigframe), 440u);
}

TEST(LayoutTest, SignalConstants) {
  EXPECT_EQ(uapi::kNumSignals, _NSIG - 1);
  EXPECT_EQ(uapi::kSigRtMax, __SIGRTMAX);
  EXPECT_EQ(uapi::kSigRtMin, __SIGRTMIN);
  EXPECT_EQ(uapi::kSaNocldstop, static_cast<uint64_t>(SA_NOCLDSTOP));
  EXPECT_EQ(uapi::kSaNocldwait, static_cast<uint64_t>(SA_NOCLDWAIT));
  EXPECT_EQ(uapi::kSaSiginfo, static_cast<uint64_t>(SA_SIGINFO));
  EXPECT_EQ(uapi::kSaOnstack, static_cast<uint64_t>(SA_ONSTACK));
  EXPECT_EQ(uapi::kSaRestart, static_cast<uint64_t>(SA_RESTART));
  EXPECT_EQ(uapi::kSaNodefer, static_cast<uint64_t>(SA_NODEFER));
  EXPECT_EQ(uapi::kSaResethand, static_cast<uint64_t>(static_cast<uint32_t>(SA_RESETHAND)));
  EXPECT_EQ(uapi::kSsOnstack, SS_ONSTACK);
  EXPECT_EQ(uapi::kSsDisable, SS_DISABLE);
  EXPECT_EQ(uapi::SigsetBit(SIGHUP), 1u);
  EXPECT_EQ(uapi::SigsetBit(64), uint64_t{1} << 63);
}

TEST(LayoutTest, Elf) {
  EXPECT_EQ(sizeof(uapi::Elf64Ehdr), sizeof(Elf64_Ehdr));
  EXPECT_SAME_OFFSET(uapi::Elf64Ehdr, e_type, Elf64_Ehdr, e_type);
  EXPECT_SAME_OFFSET(uapi::Elf64Ehdr, e_machine, Elf64_Ehdr, e_machine);
  EXPECT_SAME_OFFSET(uapi::Elf64Ehdr, e_entry, Elf64_Ehdr, e_entry);
  EXPECT_SAME_OFFSET(uapi::Elf64Ehdr, e_phoff, Elf64_Ehdr, e_phoff);
  EXPECT_SAME_OFFSET(uapi::Elf64Ehdr, e_phentsize, Elf64_Ehdr, e_phentsize);
  EXPECT_SAME_OFFSET(uapi::Elf64Ehdr, e_phnum, Elf64_Ehdr, e_phnum);
  EXPECT_SAME_OFFSET(uapi::Elf64Ehdr, e_shstrndx, Elf64_Ehdr, e_shstrndx);
  EXPECT_EQ(sizeof(uapi::Elf64Phdr), sizeof(Elf64_Phdr));
  EXPECT_SAME_OFFSET(uapi::Elf64Phdr, p_flags, Elf64_Phdr, p_flags);
  EXPECT_SAME_OFFSET(uapi::Elf64Phdr, p_offset, Elf64_Phdr, p_offset);
  EXPECT_SAME_OFFSET(uapi::Elf64Phdr, p_vaddr, Elf64_Phdr, p_vaddr);
  EXPECT_SAME_OFFSET(uapi::Elf64Phdr, p_filesz, Elf64_Phdr, p_filesz);
  EXPECT_SAME_OFFSET(uapi::Elf64Phdr, p_memsz, Elf64_Phdr, p_memsz);
  EXPECT_SAME_OFFSET(uapi::Elf64Phdr, p_align, Elf64_Phdr, p_align);
  EXPECT_EQ(sizeof(uapi::Elf32Ehdr), sizeof(Elf32_Ehdr));
  EXPECT_SAME_OFFSET(uapi::Elf32Ehdr, e_entry, Elf32_Ehdr, e_entry);
  EXPECT_SAME_OFFSET(uapi::Elf32Ehdr, e_phoff, Elf32_Ehdr, e_phoff);
  EXPECT_SAME_OFFSET(uapi::Elf32Ehdr, e_phnum, Elf32_Ehdr, e_phnum);
  EXPECT_EQ(sizeof(uapi::Elf32Phdr), sizeof(Elf32_Phdr));
  EXPECT_SAME_OFFSET(uapi::Elf32Phdr, p_vaddr, Elf32_Phdr, p_vaddr);
  EXPECT_SAME_OFFSET(uapi::Elf32Phdr, p_flags, Elf32_Phdr, p_flags);
  EXPECT_SAME_OFFSET(uapi::Elf32Phdr, p_align, Elf32_Phdr, p_align);

  EXPECT_EQ(uapi::kEiNident, static_cast<std::size_t>(EI_NIDENT));
  EXPECT_EQ(0, memcmp(uapi::kElfMagic, ELFMAG, SELFMAG));
  EXPECT_EQ(uapi::kEiClass, static_cast<std::size_t>(EI_CLASS));
  EXPECT_EQ(uapi::kEiData, static_cast<std::size_t>(EI_DATA));
  EXPECT_EQ(uapi::kEiVersion, static_cast<std::size_t>(EI_VERSION));
  EXPECT_EQ(uapi::kEiOsabi, static_cast<std::size_t>(EI_OSABI));
  EXPECT_EQ(uapi::kElfClass32, ELFCLASS32);
  EXPECT_EQ(uapi::kElfClass64, ELFCLASS64);
  EXPECT_EQ(uapi::kElfData2Lsb, ELFDATA2LSB);
  EXPECT_EQ(uapi::kElfOsabiGnu, ELFOSABI_GNU);
  EXPECT_EQ(uapi::kEvCurrent, static_cast<uint32_t>(EV_CURRENT));
  EXPECT_EQ(uapi::kEtExec, ET_EXEC);
  EXPECT_EQ(uapi::kEtDyn, ET_DYN);
  EXPECT_EQ(uapi::kEtCore, ET_CORE);
  EXPECT_EQ(uapi::kEm386, EM_386);
  EXPECT_EQ(uapi::kEmX86_64, EM_X86_64);
  EXPECT_EQ(uapi::kPtNull, static_cast<uint32_t>(PT_NULL));
  EXPECT_EQ(uapi::kPtLoad, static_cast<uint32_t>(PT_LOAD));
  EXPECT_EQ(uapi::kPtDynamic, static_cast<uint32_t>(PT_DYNAMIC));
  EXPECT_EQ(uapi::kPtInterp, static_cast<uint32_t>(PT_INTERP));
  EXPECT_EQ(uapi::kPtNote, static_cast<uint32_t>(PT_NOTE));
  EXPECT_EQ(uapi::kPtPhdr, static_cast<uint32_t>(PT_PHDR));
  EXPECT_EQ(uapi::kPtTls, static_cast<uint32_t>(PT_TLS));
  EXPECT_EQ(uapi::kPtGnuEhFrame, static_cast<uint32_t>(PT_GNU_EH_FRAME));
  EXPECT_EQ(uapi::kPtGnuStack, static_cast<uint32_t>(PT_GNU_STACK));
  EXPECT_EQ(uapi::kPtGnuRelro, static_cast<uint32_t>(PT_GNU_RELRO));
  EXPECT_EQ(uapi::kPtGnuProperty, static_cast<uint32_t>(PT_GNU_PROPERTY));
  EXPECT_EQ(uapi::kPfX, static_cast<uint32_t>(PF_X));
  EXPECT_EQ(uapi::kPfW, static_cast<uint32_t>(PF_W));
  EXPECT_EQ(uapi::kPfR, static_cast<uint32_t>(PF_R));

  const uint8_t ident[uapi::kEiNident] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  EXPECT_TRUE(uapi::HasElfMagic(ident));
  const uint8_t bad[uapi::kEiNident] = {'#', '!', '/', 'b'};
  EXPECT_FALSE(uapi::HasElfMagic(bad));
}

TEST(LayoutTest, Auxv) {
  EXPECT_EQ(sizeof(uapi::Auxv64), sizeof(Elf64_auxv_t));
  EXPECT_EQ(sizeof(uapi::Auxv32), sizeof(Elf32_auxv_t));
  EXPECT_EQ(uapi::kAtNull, static_cast<uint64_t>(AT_NULL));
  EXPECT_EQ(uapi::kAtIgnore, static_cast<uint64_t>(AT_IGNORE));
  EXPECT_EQ(uapi::kAtExecfd, static_cast<uint64_t>(AT_EXECFD));
  EXPECT_EQ(uapi::kAtPhdr, static_cast<uint64_t>(AT_PHDR));
  EXPECT_EQ(uapi::kAtPhent, static_cast<uint64_t>(AT_PHENT));
  EXPECT_EQ(uapi::kAtPhnum, static_cast<uint64_t>(AT_PHNUM));
  EXPECT_EQ(uapi::kAtPagesz, static_cast<uint64_t>(AT_PAGESZ));
  EXPECT_EQ(uapi::kAtBase, static_cast<uint64_t>(AT_BASE));
  EXPECT_EQ(uapi::kAtFlags, static_cast<uint64_t>(AT_FLAGS));
  EXPECT_EQ(uapi::kAtEntry, static_cast<uint64_t>(AT_ENTRY));
  EXPECT_EQ(uapi::kAtNotelf, static_cast<uint64_t>(AT_NOTELF));
  EXPECT_EQ(uapi::kAtUid, static_cast<uint64_t>(AT_UID));
  EXPECT_EQ(uapi::kAtEuid, static_cast<uint64_t>(AT_EUID));
  EXPECT_EQ(uapi::kAtGid, static_cast<uint64_t>(AT_GID));
  EXPECT_EQ(uapi::kAtEgid, static_cast<uint64_t>(AT_EGID));
  EXPECT_EQ(uapi::kAtPlatform, static_cast<uint64_t>(AT_PLATFORM));
  EXPECT_EQ(uapi::kAtHwcap, static_cast<uint64_t>(AT_HWCAP));
  EXPECT_EQ(uapi::kAtClktck, static_cast<uint64_t>(AT_CLKTCK));
  EXPECT_EQ(uapi::kAtSecure, static_cast<uint64_t>(AT_SECURE));
  EXPECT_EQ(uapi::kAtBasePlatform, static_cast<uint64_t>(AT_BASE_PLATFORM));
  EXPECT_EQ(uapi::kAtRandom, static_cast<uint64_t>(AT_RANDOM));
  EXPECT_EQ(uapi::kAtHwcap2, static_cast<uint64_t>(AT_HWCAP2));
  EXPECT_EQ(uapi::kAtExecfn, static_cast<uint64_t>(AT_EXECFN));
  EXPECT_EQ(uapi::kAtSysinfo, static_cast<uint64_t>(AT_SYSINFO));
  EXPECT_EQ(uapi::kAtSysinfoEhdr, static_cast<uint64_t>(AT_SYSINFO_EHDR));
  EXPECT_EQ(uapi::kAtMinsigstksz, static_cast<uint64_t>(AT_MINSIGSTKSZ));
}

}  // namespace

#endif  // ABI_TEST_I386_HOST_TU
