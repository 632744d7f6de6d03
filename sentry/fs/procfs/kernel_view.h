// What procfs needs from the process model, in one place: procfs code
// calls only these, so a change in sentry/kernel/ touches this file alone.
// Every accessor copes with processes and tasks that exit meanwhile
// (null pointers, empty results).
#ifndef SENTRY_FS_PROCFS_KERNEL_VIEW_H_
#define SENTRY_FS_PROCFS_KERNEL_VIEW_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "abi/linux/resource.h"

namespace sentry {
class Kernel;
class MemoryManager;
class Task;
class ThreadGroup;
namespace vfs {
class FdTable;
class FsContext;
class VirtualFilesystem;
}  // namespace vfs
}  // namespace sentry

namespace sentry::fs::procview {

// Live processes, ascending.
std::vector<pid_t> ProcessIds(Kernel& k);
std::shared_ptr<ThreadGroup> FindProcess(Kernel& k, pid_t tgid);
std::shared_ptr<Task> FindTask(Kernel& k, pid_t tid);
// Live threads of a process, leader first.
std::vector<std::shared_ptr<Task>> Threads(ThreadGroup& tg);
std::shared_ptr<Task> Leader(ThreadGroup& tg);

pid_t Tgid(ThreadGroup& tg);
pid_t Tid(Task& t);
std::shared_ptr<ThreadGroup> ProcessOf(Task& t);
pid_t Ppid(ThreadGroup& tg);
pid_t Pgid(ThreadGroup& tg);
pid_t Sid(ThreadGroup& tg);
char State(ThreadGroup& tg);
std::string Comm(ThreadGroup& tg);
void SetComm(ThreadGroup& tg, const std::string& comm);
std::string ExePath(ThreadGroup& tg);
uapi::Rlimit Rlimit(ThreadGroup& tg, int resource);

struct Ids {
  uint32_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
  uint32_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
  std::vector<uint32_t> groups;
  uint64_t cap_inh = 0, cap_prm = 0, cap_eff = 0, cap_bnd = 0;
};
Ids IdsOf(ThreadGroup& tg);

// A task's resources; null once it has released them.
std::shared_ptr<MemoryManager> MemoryOf(Task& t);
std::shared_ptr<vfs::FdTable> FilesOf(Task& t);
std::shared_ptr<vfs::FsContext> FsOf(Task& t);

vfs::VirtualFilesystem& Vfs(Kernel& k);
// Sandbox start (CLOCK_MONOTONIC ns) and identity.
int64_t StartTimeNs(Kernel& k);
std::string Hostname(Kernel& k);

}  // namespace sentry::fs::procview

#endif  // SENTRY_FS_PROCFS_KERNEL_VIEW_H_
