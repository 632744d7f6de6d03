// The program loader: execve(2) done by the sentry.
#ifndef SENTRY_LOADER_LOADER_H_
#define SENTRY_LOADER_LOADER_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sentry {
class MemoryManager;
namespace vfs {
class VirtualFilesystem;
class FsContext;
struct Credentials;
}  // namespace vfs
}  // namespace sentry

namespace sentry::loader {

struct ExecRequest {
  std::string path;  // as given to execve; becomes AT_EXECFN
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  uid_t uid = 0, gid = 0;
  // Who execs (procfs "self", the exec-permission check); null for the
  // sentry's own start of PID 1.
  const vfs::Credentials* creds = nullptr;
};

struct ExecImage {
  uint64_t entry = 0;          // initial rip (interpreter's entry if any)
  uint64_t stack_pointer = 0;  // initial rsp, pointing at argc
  std::string exe_path;        // absolute sandbox path (/proc/self/exe)
  std::string comm;            // basename, at most 15 bytes
};

// Loads the program into `mm`, a fresh MemoryManager over an empty address
// space: maps the executable (static, static-pie or dynamic with PT_INTERP),
// follows `#!` interpreters (as Linux: a chain of at most 5 scripts before
// the ELF file, else ELOOP), builds the initial stack with argv, envp and
// auxv, and sets the brk base. Returns 0 or a negative errno (ENOENT, EACCES,
// ENOEXEC, ELIBBAD, ELOOP, E2BIG, ENOMEM...); on failure `*error` is a
// message naming the file and the cause ("/bin/x: exec format error: ...")
// and `mm` is left half-built: the caller discards it.
int64_t Load(vfs::VirtualFilesystem& vfs, const vfs::FsContext& fs,
             MemoryManager& mm, const ExecRequest& req, ExecImage* out,
             std::string* error);

}  // namespace sentry::loader

#endif  // SENTRY_LOADER_LOADER_H_
