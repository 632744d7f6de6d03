#include "sentry/fs/procfs/kernel_view.h"

#include <algorithm>

#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/kernel/thread_group.h"

namespace sentry::fs::procview {

std::vector<pid_t> ProcessIds(Kernel& k) {
  std::vector<pid_t> ids = k.ThreadGroupIds();
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::shared_ptr<ThreadGroup> FindProcess(Kernel& k, pid_t tgid) {
  return k.FindThreadGroup(tgid);
}

std::shared_ptr<Task> FindTask(Kernel& k, pid_t tid) { return k.FindTask(tid); }

std::vector<std::shared_ptr<Task>> Threads(ThreadGroup& tg) {
  return tg.Tasks();
}

std::shared_ptr<Task> Leader(ThreadGroup& tg) {
  std::vector<std::shared_ptr<Task>> t = tg.Tasks();
  return t.empty() ? nullptr : t.front();
}

pid_t Tgid(ThreadGroup& tg) { return tg.tgid(); }
pid_t Tid(Task& t) { return t.tid(); }
std::shared_ptr<ThreadGroup> ProcessOf(Task& t) {
  return t.shared_thread_group();
}
pid_t Ppid(ThreadGroup& tg) { return tg.ppid(); }
pid_t Pgid(ThreadGroup& tg) { return tg.pgid(); }
pid_t Sid(ThreadGroup& tg) { return tg.sid(); }
char State(ThreadGroup& tg) { return tg.StateChar(); }
std::string Comm(ThreadGroup& tg) { return tg.comm(); }
void SetComm(ThreadGroup& tg, const std::string& comm) { tg.set_comm(comm); }
std::string ExePath(ThreadGroup& tg) { return tg.exe_path(); }
uapi::Rlimit Rlimit(ThreadGroup& tg, int resource) {
  return tg.GetRlimit(resource);
}

Ids IdsOf(ThreadGroup& tg) {
  Credentials c = tg.creds();
  Ids ids;
  ids.ruid = c.ruid;
  ids.euid = c.euid;
  ids.suid = c.suid;
  ids.fsuid = c.fsuid;
  ids.rgid = c.rgid;
  ids.egid = c.egid;
  ids.sgid = c.sgid;
  ids.fsgid = c.fsgid;
  ids.groups.assign(c.groups.begin(), c.groups.end());
  ids.cap_inh = c.cap_inheritable;
  ids.cap_prm = c.cap_permitted;
  ids.cap_eff = c.cap_effective;
  ids.cap_bnd = c.cap_bounding;
  return ids;
}

std::shared_ptr<MemoryManager> MemoryOf(Task& t) { return t.shared_mm(); }
std::shared_ptr<vfs::FdTable> FilesOf(Task& t) { return t.shared_fds(); }
std::shared_ptr<vfs::FsContext> FsOf(Task& t) { return t.shared_fs(); }

vfs::VirtualFilesystem& Vfs(Kernel& k) { return k.vfs(); }
int64_t StartTimeNs(Kernel& k) { return k.start_time_ns(); }
std::string Hostname(Kernel& k) { return k.config().hostname; }

}  // namespace sentry::fs::procview
