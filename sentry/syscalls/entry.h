// Helpers to write syscall table entries declaratively:
//   SYS(nr, Handler, kSupported, {kFd, kOutBuf, kUInt})
#ifndef SENTRY_SYSCALLS_ENTRY_H_
#define SENTRY_SYSCALLS_ENTRY_H_

#include <initializer_list>

#include "sentry/syscalls/table.h"

namespace sentry {

inline SyscallEntry MakeEntry(int nr, Handler h, Support s,
                              std::initializer_list<ArgFmt> args,
                              ArgFmt ret = ArgFmt::kInt, const char* note = "") {
  SyscallEntry e;
  e.nr = nr;
  e.handler = h;
  e.support = s;
  e.note = note;
  e.ret = ret;
  int i = 0;
  for (ArgFmt a : args) {
    if (i < 6) e.args[i++] = a;
  }
  e.nargs = i;
  return e;
}

// An unimplemented entry whose errno is not ENOSYS (Linux with the feature
// compiled out), or an ENOSYS one that deserves a note.
inline SyscallEntry Unimplemented(int nr, int err, const char* note) {
  SyscallEntry e;
  e.nr = nr;
  e.support = Support::kUnimplemented;
  e.unimplemented_errno = err;
  e.note = note;
  return e;
}

}  // namespace sentry

#endif  // SENTRY_SYSCALLS_ENTRY_H_
