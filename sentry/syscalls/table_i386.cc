// The i386 syscall table (arch/x86/entry/syscalls/syscall_32.tbl), used for
// `int 0x80` from 64-bit tasks. Arguments arrive in ebx, ecx, edx, esi, edi,
// ebp; structures use the 32-bit layouts where they differ.
#include <cerrno>

#include "abi/syscalls.h"
#include "sentry/syscalls/entry.h"
#include "sentry/syscalls/sys_file.h"
#include "sentry/syscalls/sys_mm.h"
#include "sentry/syscalls/sys_process.h"
#include "sentry/syscalls/sys_time.h"

namespace sentry {

namespace {

using enum ArgFmt;
using enum Support;
namespace nr = abi::i386;

std::vector<SyscallEntry> Entries() {
  return {
      // --- files ---
      // --- end files ---

      // --- memory ---
      MakeEntry(nr::NR_brk, SysBrk, kSupported, {kPtr}, kPtr),
      MakeEntry(nr::NR_munmap, SysMunmap, kSupported, {kPtr, kUInt}),
      MakeEntry(nr::NR_mprotect, SysMprotect, kSupported, {kPtr, kUInt, kProt}),
      MakeEntry(nr::NR_mmap2, SysMmapPgoff, kSupported,
                {kPtr, kUInt, kProt, kMmapFlags, kFd, kHex}, kPtr),
      // --- end memory ---

      // --- process ---
      MakeEntry(nr::NR_exit, SysExit, kSupported, {kInt}),
      MakeEntry(nr::NR_exit_group, SysExitGroup, kSupported, {kInt}),
      MakeEntry(nr::NR_getpid, SysGetpid, kSupported, {}),
      MakeEntry(nr::NR_gettid, SysGettid, kSupported, {}),
      MakeEntry(nr::NR_getppid, SysGetppid, kSupported, {}),
      MakeEntry(nr::NR_getuid32, SysGetuid, kSupported, {}),
      MakeEntry(nr::NR_geteuid32, SysGeteuid, kSupported, {}),
      MakeEntry(nr::NR_getgid32, SysGetgid, kSupported, {}),
      MakeEntry(nr::NR_getegid32, SysGetegid, kSupported, {}),
      MakeEntry(nr::NR_uname, SysUname, kSupported, {kPtr}),
      MakeEntry(nr::NR_sched_yield, SysSchedYield, kSupported, {}),
      MakeEntry(nr::NR_getrandom, SysGetrandom, kSupported,
                {kOutBuf, kUInt, kHex}),
      // --- end process ---

      // --- time ---
      MakeEntry(nr::NR_time, SysTime32, kSupported, {kPtr}),
      MakeEntry(nr::NR_gettimeofday, SysGettimeofday32, kSupported,
                {kPtr, kPtr}),
      MakeEntry(nr::NR_clock_gettime, SysClockGettime32, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_clock_getres, SysClockGetres32, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_clock_gettime64, SysClockGettime, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_clock_getres_time64, SysClockGetres, kSupported,
                {kInt, kPtr}),
      MakeEntry(nr::NR_nanosleep, SysNanosleep32, kPartial, {kPtr, kPtr}, kInt,
                "not yet interruptible by signals"),
      // --- end time ---
  };
}

}  // namespace

const SyscallTable& I386Table() {
  static const SyscallTable* table =
      new SyscallTable(platform::Arch::kI386, Entries());
  return *table;
}

}  // namespace sentry
