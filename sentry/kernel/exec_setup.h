// Installing a freshly loaded program into a task (shared by PID 1's start
// and execve).
#ifndef SENTRY_KERNEL_EXEC_SETUP_H_
#define SENTRY_KERNEL_EXEC_SETUP_H_

#include <cstdint>
#include <string>

#include "sentry/loader/loader.h"

namespace sentry {

class Task;

// Creates a new address space owned by the calling thread (which must be
// `t`'s sentry thread), loads `req` into it and, on success, installs it in
// `t`: context (the old one is released), memory manager, registers as
// after execve, comm and exe path. On failure `t` is unchanged and `*error`
// names the file and the cause.
int64_t ExecInto(Task& t, const loader::ExecRequest& req, std::string* error);

}  // namespace sentry

#endif  // SENTRY_KERNEL_EXEC_SETUP_H_
