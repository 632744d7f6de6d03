// The contents of /proc: the root (processes and system files), the
// per-process directories and /proc/sys.
#include "sentry/fs/procfs/procfs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "abi/linux/resource.h"
#include "sentry/fs/procfs/kernel_view.h"
#include "sentry/fs/procfs/nodes.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/socket/inet/proc_net.h"
#include "sentry/socket/netns/network.h"
#include "sentry/socket/unix/unix_socket.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"

namespace sentry::fs {

namespace {

using proc::ChildInfo;
using proc::Dir;
using proc::File;
using proc::Link;
using proc::ProcFs;
using vfs::Credentials;
using DentryPtr = std::shared_ptr<vfs::Dentry>;

constexpr int64_t kClockTicks = 100;  // USER_HZ

bool ParsePid(const std::string& s, pid_t* out) {
  if (s.empty() || s[0] == '0' || s.size() > 10) return false;
  pid_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return false;
  *out = v;
  return true;
}

std::string ReadHostFile(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t MonotonicNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// The caller's root, for paths shown to it.
vfs::VirtualDentry CallerRoot(ProcFs* fs, const Credentials& c) {
  if (c.task) {
    auto f = procview::FsOf(*c.task);
    if (f) return f->root();
  }
  return procview::Vfs(fs->kernel()).Root();
}

std::string PathForCaller(ProcFs* fs, const Credentials& c,
                          const vfs::VirtualDentry& vd) {
  std::string p = vfs::VirtualFilesystem::PathOf(CallerRoot(fs, c), vd);
  if (vd.dentry->IsDeleted()) p += " (deleted)";
  return p;
}

// A generated file with a fixed text-producing function.
DentryPtr MakeFile(ProcFs* fs, const DentryPtr& parent, const std::string& name,
                   std::function<int64_t(const Credentials&, std::string*)> gen,
                   uint32_t perm = 0444, proc::WriteFn write = nullptr) {
  return std::make_shared<File>(fs, parent, name, perm, std::move(gen),
                                std::move(write));
}

DentryPtr MakeConst(ProcFs* fs, const DentryPtr& parent,
                    const std::string& name, std::string text) {
  return MakeFile(fs, parent, name,
                  [text](const Credentials&, std::string* out) {
                    *out = text;
                    return int64_t{0};
                  });
}

// A static directory: a table of names to builders.
struct StaticEntry {
  std::string name;
  uint32_t type;
  std::function<DentryPtr(const DentryPtr& self)> make;
};

DentryPtr MakeStaticDir(ProcFs* fs, const DentryPtr& parent,
                        const std::string& name,
                        std::vector<StaticEntry> entries,
                        proc::OwnerFn owner = nullptr, uint32_t perm = 0555) {
  auto shared = std::make_shared<std::vector<StaticEntry>>(std::move(entries));
  auto d = std::make_shared<Dir>(
      fs, parent, name, perm,
      [shared](std::vector<ChildInfo>* out) {
        for (const StaticEntry& e : *shared) out->push_back({e.name, e.type});
      },
      [shared, owner](const DentryPtr& self, const std::string& n,
                      DentryPtr* out) -> int64_t {
        for (const StaticEntry& e : *shared) {
          if (e.name == n) {
            DentryPtr d = e.make(self);
            if (!d) return -ENOENT;
            if (owner) static_cast<proc::Node*>(d.get())->set_owner(owner);
            *out = std::move(d);
            return 0;
          }
        }
        return -ENOENT;
      });
  if (owner) d->set_owner(owner);
  return d;
}

// ---- Per-process files ----

struct Target {
  ProcFs* fs;
  pid_t tgid;
  pid_t tid;  // 0: the process directory (/proc/PID), else /proc/PID/task/TID

  std::shared_ptr<ThreadGroup> Process() const {
    return procview::FindProcess(fs->kernel(), tgid);
  }
  std::shared_ptr<Task> TaskOf() const {
    if (tid) return procview::FindTask(fs->kernel(), tid);
    auto tg = Process();
    return tg ? procview::Leader(*tg) : nullptr;
  }
};

std::string StatText(const Target& tgt, ThreadGroup& tg, Task* task) {
  std::shared_ptr<MemoryManager> mm = task ? procview::MemoryOf(*task) : nullptr;
  uint64_t vsize = 0, start_code = 0, end_code = 0, start_stack = 0;
  uint64_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
  if (mm) {
    for (const Vma& v : mm->Vmas()) {
      vsize += v.end - v.start;
      if (v.name == "[stack]") start_stack = v.end;
    }
    arg_start = mm->arg_start;
    arg_end = mm->arg_end;
    env_start = mm->env_start;
    env_end = mm->env_end;
  }
  const pid_t pid = tgt.tid ? tgt.tid : tgt.tgid;
  int threads = static_cast<int>(procview::Threads(tg).size());
  uapi::Rlimit rss = procview::Rlimit(tg, uapi::kRlimitRss);
  return absl::StrFormat(
      "%d (%s) %c %d %d %d 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 %d 0 0 %u %u "
      "%u %u %u %u 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 %u %u %u %u 0\n",
      pid, procview::Comm(tg), procview::State(tg), procview::Ppid(tg),
      procview::Pgid(tg), procview::Sid(tg), threads, vsize, vsize / 4096,
      rss.cur, start_code, end_code, start_stack, arg_start, arg_end,
      env_start, env_end);
}

std::string StatusText(const Target& tgt, ThreadGroup& tg, Task* task) {
  procview::Ids ids = procview::IdsOf(tg);
  std::shared_ptr<MemoryManager> mm = task ? procview::MemoryOf(*task) : nullptr;
  std::shared_ptr<vfs::FdTable> fds = task ? procview::FilesOf(*task) : nullptr;
  std::shared_ptr<vfs::FsContext> fsc = task ? procview::FsOf(*task) : nullptr;
  uint64_t vm_kb = 0, stack_kb = 0, exe_kb = 0;
  if (mm) {
    for (const Vma& v : mm->Vmas()) {
      vm_kb += (v.end - v.start) / 1024;
      if (v.name == "[stack]") stack_kb += (v.end - v.start) / 1024;
      if (v.prot & 4) exe_kb += (v.end - v.start) / 1024;  // PROT_EXEC
    }
  }
  std::string groups;
  for (uint32_t g : ids.groups) absl::StrAppend(&groups, g, " ");
  const pid_t pid = tgt.tid ? tgt.tid : tgt.tgid;
  char state = procview::State(tg);
  const char* state_name = state == 'Z' ? "Z (zombie)"
                           : state == 'X' ? "X (dead)"
                           : state == 'T' ? "T (stopped)"
                           : state == 'S' ? "S (sleeping)"
                                          : "R (running)";
  std::string out = absl::StrFormat(
      "Name:\t%s\nUmask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n"
      "PPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
      "FDSize:\t%d\nGroups:\t%s\n",
      procview::Comm(tg), fsc ? fsc->umask() : 022, state_name, tgt.tgid, pid,
      procview::Ppid(tg), ids.ruid, ids.euid, ids.suid, ids.fsuid, ids.rgid,
      ids.egid, ids.sgid, ids.fsgid, fds ? std::max<int>(64, fds->Count()) : 0,
      groups);
  if (mm) {
    absl::StrAppendFormat(
        &out,
        "VmPeak:\t%8u kB\nVmSize:\t%8u kB\nVmLck:\t%8u kB\nVmPin:\t%8u kB\n"
        "VmHWM:\t%8u kB\nVmRSS:\t%8u kB\nRssAnon:\t%8u kB\nRssFile:\t%8u kB\n"
        "RssShmem:\t%8u kB\nVmData:\t%8u kB\nVmStk:\t%8u kB\nVmExe:\t%8u kB\n"
        "VmLib:\t%8u kB\nVmPTE:\t%8u kB\nVmSwap:\t%8u kB\n",
        vm_kb, vm_kb, 0, 0, vm_kb, vm_kb, vm_kb, 0, 0, vm_kb, stack_kb, exe_kb,
        0, 0, 0);
  }
  absl::StrAppendFormat(
      &out,
      "Threads:\t%d\nSigQ:\t0/%u\nSigPnd:\t0000000000000000\n"
      "ShdPnd:\t0000000000000000\nSigBlk:\t0000000000000000\n"
      "SigIgn:\t0000000000000000\nSigCgt:\t0000000000000000\n"
      "CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\n"
      "CapAmb:\t0000000000000000\nNoNewPrivs:\t0\nSeccomp:\t0\n"
      "Seccomp_filters:\t0\nSpeculation_Store_Bypass:\tthread vulnerable\n"
      "Cpus_allowed:\t%x\nCpus_allowed_list:\t0-%d\nMems_allowed:\t1\n"
      "Mems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\n"
      "nonvoluntary_ctxt_switches:\t0\n",
      static_cast<int>(procview::Threads(tg).size()),
      procview::Rlimit(tg, uapi::kRlimitSigpending).cur, ids.cap_inh,
      ids.cap_prm, ids.cap_eff, ids.cap_bnd,
      (1u << std::min<long>(sysconf(_SC_NPROCESSORS_ONLN), 31)) - 1,
      static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)) - 1);
  return out;
}

// Reads [start, end) of the task's memory (cmdline, environ).
int64_t ReadUserRange(Task* task, bool env, std::string* out) {
  out->clear();
  if (!task) return 0;
  std::shared_ptr<MemoryManager> mm = procview::MemoryOf(*task);
  if (!mm) return 0;
  uint64_t start = env ? mm->env_start : mm->arg_start;
  uint64_t end = env ? mm->env_end : mm->arg_end;
  if (end <= start || end - start > (1 << 20)) return 0;
  std::string buf(end - start, '\0');
  if (mm->CopyIn(start, buf.data(), buf.size()) < 0) return 0;
  *out = std::move(buf);
  return 0;
}

std::string MountsText(ProcFs* fs, const vfs::VirtualDentry& root, bool info) {
  std::string out;
  vfs::VirtualFilesystem& v = procview::Vfs(fs->kernel());
  for (const std::shared_ptr<vfs::Mount>& m : v.Mounts()) {
    bool reachable = true;
    std::string where = vfs::VirtualFilesystem::PathOf(
        root, vfs::VirtualDentry{m, m->root()}, &reachable);
    if (!reachable) continue;
    if (!info) {
      absl::StrAppend(&out, m->source(), " ", where, " ", m->filesystem().Name(),
                      " ", m->OptionsString(), " 0 0\n");
      continue;
    }
    uapi::Stat st{};
    m->root()->Stat(&st);
    int parent_id = m->parent() ? m->parent()->id() : m->id();
    std::string opts = m->OptionsString();
    std::string mount_opts = opts.substr(0, opts.find(",size="));
    absl::StrAppendFormat(&out, "%d %d %u:%u / %s %s - %s %s %s\n", m->id(),
                          parent_id, major(st.st_dev), minor(st.st_dev), where,
                          mount_opts, m->filesystem().Name(), m->source(),
                          m->ReadOnly() ? "ro" : "rw");
  }
  return out;
}

std::string LimitsText(ThreadGroup& tg) {
  struct L {
    const char* name;
    const char* unit;
  };
  static const L kLimits[uapi::kRlimitNlimits] = {
      {"Max cpu time", "seconds"},       {"Max file size", "bytes"},
      {"Max data size", "bytes"},        {"Max stack size", "bytes"},
      {"Max core file size", "bytes"},   {"Max resident set", "bytes"},
      {"Max processes", "processes"},    {"Max open files", "files"},
      {"Max locked memory", "bytes"},    {"Max address space", "bytes"},
      {"Max file locks", "locks"},       {"Max pending signals", "signals"},
      {"Max msgqueue size", "bytes"},    {"Max nice priority", ""},
      {"Max realtime priority", ""},     {"Max realtime timeout", "us"},
  };
  auto val = [](uint64_t v) {
    return v == uapi::kRlimInfinity ? std::string("unlimited")
                                    : absl::StrCat(v);
  };
  std::string out = absl::StrFormat("%-25s %-20s %-20s %-10s\n", "Limit",
                                    "Soft Limit", "Hard Limit", "Units");
  for (int i = 0; i < uapi::kRlimitNlimits; ++i) {
    uapi::Rlimit r = procview::Rlimit(tg, i);
    absl::StrAppendFormat(&out, "%-25s %-20s %-20s %-10s\n", kLimits[i].name,
                          val(r.cur), val(r.max), kLimits[i].unit);
  }
  return out;
}

// /proc/PID/fd/N: a magic link to the open file.
DentryPtr MakeFdLink(const Target& tgt, const DentryPtr& parent, int fd) {
  auto file_of = [tgt, fd]() -> std::shared_ptr<vfs::FileDescription> {
    std::shared_ptr<Task> t = tgt.TaskOf();
    if (!t) return nullptr;
    std::shared_ptr<vfs::FdTable> fds = procview::FilesOf(*t);
    return fds ? fds->Get(fd) : nullptr;
  };
  ProcFs* fs = tgt.fs;
  return std::make_shared<Link>(
      fs, parent, std::to_string(fd),
      [fs, file_of](const Credentials& c, std::string* out) -> int64_t {
        auto f = file_of();
        if (!f) return -ENOENT;
        *out = f->location().ok() && f->location().mount->id() != 0
                   ? PathForCaller(fs, c, f->location())
                   : f->Path();
        return 0;
      },
      [fs, file_of](const Credentials& c, vfs::VirtualDentry* out) -> int64_t {
        auto f = file_of();
        if (!f) return -ENOENT;
        if (f->location().ok()) {
          *out = f->location();
        } else {
          *out = proc::AnonLocation(fs, f);
        }
        return 0;
      });
}

DentryPtr MakeFdDir(const Target& tgt, const DentryPtr& parent, bool info,
                    proc::OwnerFn owner) {
  auto fds_of = [tgt]() -> std::shared_ptr<vfs::FdTable> {
    std::shared_ptr<Task> t = tgt.TaskOf();
    return t ? procview::FilesOf(*t) : nullptr;
  };
  ProcFs* fs = tgt.fs;
  auto d = std::make_shared<Dir>(
      fs, parent, info ? "fdinfo" : "fd", info ? 0555 : 0500,
      [fds_of, info](std::vector<ChildInfo>* out) {
        auto fds = fds_of();
        if (!fds) return;
        for (int fd : fds->Fds()) {
          out->push_back({std::to_string(fd), static_cast<uint32_t>(info ? S_IFREG : S_IFLNK)});
        }
      },
      [tgt, fds_of, info, owner, fs](const DentryPtr& self, const std::string& n,
                                     DentryPtr* out) -> int64_t {
        pid_t fd;
        if (n == "0") {
          fd = 0;
        } else if (!ParsePid(n, &fd)) {
          return -ENOENT;
        }
        auto fds = fds_of();
        if (!fds || !fds->Get(fd)) return -ENOENT;
        DentryPtr d;
        if (!info) {
          d = MakeFdLink(tgt, self, fd);
        } else {
          d = MakeFile(fs, self, n,
                       [fds_of, fd](const Credentials&, std::string* o) -> int64_t {
                         auto fds = fds_of();
                         bool cloexec = false;
                         auto f = fds ? fds->Get(fd, &cloexec) : nullptr;
                         if (!f) return -ENOENT;
                         uapi::Stat st{};
                         f->Stat(&st);
                         int flags = f->status_flags() | (cloexec ? O_CLOEXEC : 0);
                         int mnt = f->location().ok() ? f->location().mount->id() : 0;
                         *o = absl::StrFormat(
                             "pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%u\n",
                             f->offset(), flags, mnt, st.st_ino);
                         return 0;
                       });
        }
        if (owner) static_cast<proc::Node*>(d.get())->set_owner(owner);
        *out = std::move(d);
        return 0;
      });
  if (owner) d->set_owner(owner);
  return d;
}

DentryPtr MakeNetDir(ProcFs* fs, const DentryPtr& parent);
DentryPtr MakeProcessDir(const Target& tgt, const DentryPtr& parent,
                         const std::string& name);

// The entries of /proc/PID and /proc/PID/task/TID.
std::vector<StaticEntry> ProcessEntries(const Target& tgt) {
  ProcFs* fs = tgt.fs;
  auto gen = [tgt](std::function<std::string(ThreadGroup&, Task*)> f) {
    return [tgt, f](const Credentials&, std::string* out) -> int64_t {
      std::shared_ptr<ThreadGroup> tg = tgt.Process();
      if (!tg) return -ESRCH;
      std::shared_ptr<Task> task = tgt.TaskOf();
      *out = f(*tg, task.get());
      return 0;
    };
  };
  auto file = [fs, gen](const std::string& name,
                        std::function<std::string(ThreadGroup&, Task*)> f,
                        uint32_t perm = 0444) {
    return StaticEntry{name, S_IFREG, [fs, name, gen, f, perm](const DentryPtr& self) {
                         return MakeFile(fs, self, name, gen(f), perm);
                       }};
  };
  auto memfile = [fs, tgt](const std::string& name, bool env) {
    return StaticEntry{name, S_IFREG, [fs, tgt, name, env](const DentryPtr& self) {
                         return MakeFile(
                             fs, self, name,
                             [tgt, env](const Credentials&, std::string* out) {
                               std::shared_ptr<Task> t = tgt.TaskOf();
                               return ReadUserRange(t.get(), env, out);
                             },
                             env ? 0400 : 0444);
                       }};
  };
  auto fs_link = [fs, tgt](const std::string& name, bool root) {
    return StaticEntry{
        name, S_IFLNK, [fs, tgt, name, root](const DentryPtr& self) {
          auto where = [tgt, root](vfs::VirtualDentry* out) -> int64_t {
            std::shared_ptr<Task> t = tgt.TaskOf();
            std::shared_ptr<vfs::FsContext> f = t ? procview::FsOf(*t) : nullptr;
            if (!f) return -ENOENT;
            *out = root ? f->root() : f->cwd();
            return 0;
          };
          return std::make_shared<Link>(
              fs, self, name,
              [fs, where](const Credentials& c, std::string* out) -> int64_t {
                vfs::VirtualDentry vd;
                int64_t r = where(&vd);
                if (r < 0) return r;
                *out = PathForCaller(fs, c, vd);
                return 0;
              },
              [where](const Credentials&, vfs::VirtualDentry* out) {
                return where(out);
              });
        }};
  };
  proc::OwnerFn owner = [tgt](uint32_t* uid, uint32_t* gid) {
    std::shared_ptr<ThreadGroup> tg = tgt.Process();
    if (!tg) return;
    procview::Ids ids = procview::IdsOf(*tg);
    *uid = ids.euid;
    *gid = ids.egid;
  };
  std::vector<StaticEntry> e;
  e.push_back(memfile("cmdline", false));
  e.push_back(memfile("environ", true));
  e.push_back(file("stat", [tgt](ThreadGroup& tg, Task* t) {
    return StatText(tgt, tg, t);
  }));
  e.push_back(file("status", [tgt](ThreadGroup& tg, Task* t) {
    return StatusText(tgt, tg, t);
  }));
  e.push_back(file("statm", [](ThreadGroup&, Task* t) {
    uint64_t pages = 0;
    std::shared_ptr<MemoryManager> mm = t ? procview::MemoryOf(*t) : nullptr;
    if (mm) {
      for (const Vma& v : mm->Vmas()) pages += (v.end - v.start) / 4096;
    }
    return absl::StrCat(pages, " ", pages, " 0 0 0 ", pages, " 0\n");
  }));
  e.push_back(file("maps", [](ThreadGroup&, Task* t) {
    std::shared_ptr<MemoryManager> mm = t ? procview::MemoryOf(*t) : nullptr;
    return mm ? mm->MapsText() : std::string();
  }));
  e.push_back(StaticEntry{
      "auxv", S_IFREG, [fs, tgt](const DentryPtr& self) {
        return MakeFile(
            fs, self, "auxv",
            [tgt](const Credentials&, std::string* out) -> int64_t {
              std::shared_ptr<Task> t = tgt.TaskOf();
              std::shared_ptr<MemoryManager> mm = t ? procview::MemoryOf(*t) : nullptr;
              out->clear();
              if (mm) {
                out->assign(reinterpret_cast<const char*>(mm->auxv.data()),
                            mm->auxv.size() * sizeof(uint64_t));
              }
              return 0;
            },
            0400);
      }});
  e.push_back(file("limits", [](ThreadGroup& tg, Task*) { return LimitsText(tg); }));
  e.push_back(StaticEntry{
      "comm", S_IFREG, [fs, tgt](const DentryPtr& self) {
        return MakeFile(
            fs, self, "comm",
            [tgt](const Credentials&, std::string* out) -> int64_t {
              std::shared_ptr<ThreadGroup> tg = tgt.Process();
              if (!tg) return -ESRCH;
              *out = procview::Comm(*tg) + "\n";
              return 0;
            },
            0644,
            [tgt](const std::string& data) -> int64_t {
              std::shared_ptr<ThreadGroup> tg = tgt.Process();
              if (!tg) return -ESRCH;
              std::string c = data.substr(0, data.find('\n')).substr(0, 15);
              procview::SetComm(*tg, c);
              return 0;
            });
      }});
  e.push_back(StaticEntry{"net", S_IFDIR, [fs](const DentryPtr& self) {
                            return MakeNetDir(fs, self);
                          }});
  e.push_back(StaticEntry{"cgroup", S_IFREG, [fs](const DentryPtr& self) {
                            return MakeConst(fs, self, "cgroup", "0::/\n");
                          }});
  e.push_back(StaticEntry{
      "oom_score_adj", S_IFREG, [fs](const DentryPtr& self) {
        return MakeFile(
            fs, self, "oom_score_adj",
            [](const Credentials&, std::string* out) -> int64_t {
              *out = "0\n";
              return 0;
            },
            0644, [](const std::string&) -> int64_t { return 0; });
      }});
  e.push_back(StaticEntry{"mounts", S_IFREG, [fs, tgt](const DentryPtr& self) {
                            return MakeFile(
                                fs, self, "mounts",
                                [fs, tgt](const Credentials& c, std::string* out) {
                                  std::shared_ptr<Task> t = tgt.TaskOf();
                                  auto f = t ? procview::FsOf(*t) : nullptr;
                                  vfs::VirtualDentry root =
                                      f ? f->root() : CallerRoot(fs, c);
                                  *out = MountsText(fs, root, false);
                                  return int64_t{0};
                                });
                          }});
  e.push_back(StaticEntry{"mountinfo", S_IFREG, [fs, tgt](const DentryPtr& self) {
                            return MakeFile(
                                fs, self, "mountinfo",
                                [fs, tgt](const Credentials& c, std::string* out) {
                                  std::shared_ptr<Task> t = tgt.TaskOf();
                                  auto f = t ? procview::FsOf(*t) : nullptr;
                                  vfs::VirtualDentry root =
                                      f ? f->root() : CallerRoot(fs, c);
                                  *out = MountsText(fs, root, true);
                                  return int64_t{0};
                                });
                          }});
  e.push_back(fs_link("cwd", false));
  e.push_back(fs_link("root", true));
  e.push_back(StaticEntry{
      "exe", S_IFLNK, [fs, tgt](const DentryPtr& self) {
        auto exe_vd = [fs, tgt](const Credentials& c,
                                vfs::VirtualDentry* out) -> int64_t {
          std::shared_ptr<ThreadGroup> tg = tgt.Process();
          if (!tg) return -ENOENT;
          std::string path = procview::ExePath(*tg);
          if (path.empty()) return -ENOENT;
          vfs::VirtualFilesystem& v = procview::Vfs(fs->kernel());
          std::shared_ptr<Task> t = tgt.TaskOf();
          auto f = t ? procview::FsOf(*t) : nullptr;
          vfs::VirtualDentry root = f ? f->root() : v.Root();
          return v.GetDentryAt(root, root, path, vfs::LookupOptions{},
                               Credentials{}, out);
        };
        return std::make_shared<Link>(
            fs, self, "exe",
            [tgt](const Credentials&, std::string* out) -> int64_t {
              std::shared_ptr<ThreadGroup> tg = tgt.Process();
              if (!tg) return -ENOENT;
              *out = procview::ExePath(*tg);
              return out->empty() ? -ENOENT : 0;
            },
            exe_vd);
      }});
  e.push_back(StaticEntry{"fd", S_IFDIR, [tgt, owner](const DentryPtr& self) {
                            return MakeFdDir(tgt, self, false, owner);
                          }});
  e.push_back(StaticEntry{"fdinfo", S_IFDIR, [tgt, owner](const DentryPtr& self) {
                            return MakeFdDir(tgt, self, true, owner);
                          }});
  if (tgt.tid == 0) {
    e.push_back(StaticEntry{
        "task", S_IFDIR, [fs, tgt, owner](const DentryPtr& self) -> DentryPtr {
          auto d = std::make_shared<Dir>(
              fs, self, "task", 0555,
              [tgt](std::vector<ChildInfo>* out) {
                std::shared_ptr<ThreadGroup> tg = tgt.Process();
                if (!tg) return;
                for (const auto& t : procview::Threads(*tg)) {
                  out->push_back({std::to_string(procview::Tid(*t)), S_IFDIR});
                }
              },
              [fs, tgt](const DentryPtr& self2, const std::string& n,
                        DentryPtr* out) -> int64_t {
                pid_t tid;
                if (!ParsePid(n, &tid)) return -ENOENT;
                std::shared_ptr<Task> t = procview::FindTask(fs->kernel(), tid);
                if (!t) return -ENOENT;
                std::shared_ptr<ThreadGroup> tg = procview::ProcessOf(*t);
                if (!tg || procview::Tgid(*tg) != tgt.tgid) return -ENOENT;
                *out = MakeProcessDir(Target{fs, tgt.tgid, tid}, self2, n);
                return 0;
              });
          d->set_owner(owner);
          return d;
        }});
  }
  return e;
}

DentryPtr MakeProcessDir(const Target& tgt, const DentryPtr& parent,
                         const std::string& name) {
  proc::OwnerFn owner = [tgt](uint32_t* uid, uint32_t* gid) {
    std::shared_ptr<ThreadGroup> tg = tgt.Process();
    if (!tg) return;
    procview::Ids ids = procview::IdsOf(*tg);
    *uid = ids.euid;
    *gid = ids.egid;
  };
  return MakeStaticDir(tgt.fs, parent, name, ProcessEntries(tgt), owner);
}

// ---- System files ----

std::string MeminfoText() {
  struct sysinfo si;
  sysinfo(&si);
  auto kb = [&](unsigned long v) {
    return static_cast<uint64_t>(v) * si.mem_unit / 1024;
  };
  return absl::StrFormat(
      "MemTotal:       %8u kB\nMemFree:        %8u kB\n"
      "MemAvailable:   %8u kB\nBuffers:        %8u kB\n"
      "Cached:         %8u kB\nSwapCached:     %8u kB\n"
      "Active:         %8u kB\nInactive:       %8u kB\n"
      "SwapTotal:      %8u kB\nSwapFree:       %8u kB\n"
      "Shmem:          %8u kB\nMapped:         %8u kB\n"
      "CommitLimit:    %8u kB\nCommitted_AS:   %8u kB\n"
      "VmallocTotal:   %8u kB\nHugePages_Total:       0\n"
      "HugePages_Free:        0\nHugepagesize:       2048 kB\n",
      kb(si.totalram), kb(si.freeram), kb(si.freeram + si.bufferram),
      kb(si.bufferram), uint64_t{0}, uint64_t{0}, uint64_t{0}, uint64_t{0},
      kb(si.totalswap), kb(si.freeswap), kb(si.sharedram), uint64_t{0},
      kb(si.totalram / 2 + si.totalswap), uint64_t{0},
      uint64_t{34359738367});
}

std::string StatSystemText(ProcFs* fs) {
  int64_t up_ticks =
      (MonotonicNs() - procview::StartTimeNs(fs->kernel())) / 10000000;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  std::string out = absl::StrFormat("cpu  %d 0 0 %d 0 0 0 0 0 0\n", up_ticks,
                                    up_ticks * (ncpu - 1));
  for (long i = 0; i < ncpu; ++i) {
    absl::StrAppendFormat(&out, "cpu%d %d 0 0 0 0 0 0 0 0 0\n", i,
                          up_ticks / ncpu);
  }
  struct timespec real;
  clock_gettime(CLOCK_REALTIME, &real);
  int64_t btime = real.tv_sec - (MonotonicNs() - procview::StartTimeNs(fs->kernel())) / 1000000000;
  absl::StrAppendFormat(&out,
                        "intr 0\nctxt 0\nbtime %d\nprocesses %d\n"
                        "procs_running 1\nprocs_blocked 0\nsoftirq 0\n",
                        btime, procview::ProcessIds(fs->kernel()).size());
  return out;
}

std::string UnameField(int which) {
  struct utsname u;
  ::uname(&u);
  switch (which) {
    case 0:
      return u.release;
    default:
      return u.version;
  }
}

// /proc/PID/net (and /proc/net, a link to self/net): the sandbox's network
// namespace, one per sandbox (socket/inet/proc_net.h).
DentryPtr MakeNetDir(ProcFs* fs, const DentryPtr& parent) {
  std::vector<StaticEntry> entries;
  for (const char* n :
       {"dev", "if_inet6", "route", "tcp", "tcp6", "udp", "udp6"}) {
    std::string name = n;
    entries.push_back(StaticEntry{
        name, S_IFREG, [fs, name](const DentryPtr& self) {
          return MakeFile(
              fs, self, name,
              [fs, name](const Credentials& c, std::string* out) -> int64_t {
                const std::shared_ptr<socket::Network>& net =
                    fs->kernel().config().network;
                if (net) return socket::NetTableText(*net, name, out);
                if (!c.task) return -ENOENT;
                return socket::NetTableText(socket::Network::Of(*c.task),
                                            name, out);
              });
        }});
  }
  entries.push_back(StaticEntry{"unix", S_IFREG, [fs](const DentryPtr& self) {
    return MakeFile(fs, self, "unix",
                    [](const Credentials&, std::string* out) -> int64_t {
                      *out = socket::UnixProcNetText();
                      return 0;
                    });
  }});
  return MakeStaticDir(fs, parent, "net", std::move(entries));
}

DentryPtr MakeSysDir(ProcFs* fs, const DentryPtr& parent) {
  auto cst = [fs](const std::string& name, std::string text) {
    return StaticEntry{name, S_IFREG, [fs, name, text](const DentryPtr& self) {
                         return MakeConst(fs, self, name, text);
                       }};
  };
  auto dir = [fs](const std::string& name, std::vector<StaticEntry> entries) {
    auto shared = std::make_shared<std::vector<StaticEntry>>(std::move(entries));
    return StaticEntry{name, S_IFDIR, [fs, name, shared](const DentryPtr& self) {
                         return MakeStaticDir(fs, self, name, *shared);
                       }};
  };
  Kernel* k = &fs->kernel();
  std::vector<StaticEntry> kernel_entries = {
      StaticEntry{"hostname", S_IFREG,
                  [fs, k](const DentryPtr& self) {
                    return MakeFile(fs, self, "hostname",
                                    [k](const Credentials&, std::string* out) {
                                      *out = procview::Hostname(*k) + "\n";
                                      return int64_t{0};
                                    });
                  }},
      cst("osrelease", UnameField(0) + "\n"),
      cst("version", UnameField(1) + "\n"),
      cst("ostype", "Linux\n"),
      cst("pid_max", "4194304\n"),
      cst("threads-max", "1000000\n"),
      cst("ngroups_max", "65536\n"),
      cst("cap_last_cap", "40\n"),
      cst("overflowuid", "65534\n"),
      cst("overflowgid", "65534\n"),
      cst("randomize_va_space", "2\n"),
      cst("shmmax", "18446744073692774399\n"),
      dir("random",
          {cst("boot_id", fs->boot_id() + "\n"),
           StaticEntry{"uuid", S_IFREG,
                       [fs](const DentryPtr& self) {
                         return MakeFile(
                             fs, self, "uuid",
                             [](const Credentials&, std::string* out) -> int64_t {
                               std::ifstream in("/proc/sys/kernel/random/uuid");
                               std::getline(in, *out);
                               *out += "\n";
                               return 0;
                             });
                       }},
           cst("entropy_avail", "256\n"), cst("poolsize", "256\n")}),
  };
  std::vector<StaticEntry> vm_entries = {
      cst("overcommit_memory", "0\n"), cst("overcommit_ratio", "50\n"),
      cst("max_map_count", "65530\n"), cst("mmap_min_addr", "65536\n"),
  };
  std::vector<StaticEntry> fs_entries = {
      cst("pipe-max-size", "1048576\n"), cst("nr_open", "1048576\n"),
      cst("file-max", "9223372036854775807\n"),
      cst("file-nr", "0\t0\t9223372036854775807\n"),
      dir("inotify", {cst("max_user_watches", "8192\n"),
                      cst("max_user_instances", "128\n"),
                      cst("max_queued_events", "16384\n")}),
  };
  std::vector<StaticEntry> net_core = {cst("somaxconn", "4096\n")};
  return MakeStaticDir(
      fs, parent, "sys",
      {dir("kernel", std::move(kernel_entries)), dir("vm", std::move(vm_entries)),
       dir("fs", std::move(fs_entries)),
       dir("net", {dir("core", std::move(net_core))})});
}

DentryPtr MakeRoot(ProcFs* fs) {
  auto cst = [fs](const std::string& name, std::string text) {
    return StaticEntry{name, S_IFREG, [fs, name, text](const DentryPtr& self) {
                         return MakeConst(fs, self, name, text);
                       }};
  };
  auto gen = [fs](const std::string& name,
                  std::function<std::string()> f) {
    return StaticEntry{name, S_IFREG, [fs, name, f](const DentryPtr& self) {
                         return MakeFile(fs, self, name,
                                         [f](const Credentials&, std::string* out) {
                                           *out = f();
                                           return int64_t{0};
                                         });
                       }};
  };
  auto statics = std::make_shared<std::vector<StaticEntry>>();
  statics->push_back(StaticEntry{
      "self", S_IFLNK, [fs](const DentryPtr& self) -> DentryPtr {
        return std::make_shared<Link>(
            fs, self, "self", [](const Credentials& c, std::string* out) -> int64_t {
              if (c.pid <= 0) return -ENOENT;
              *out = std::to_string(c.pid);
              return 0;
            });
      }});
  statics->push_back(StaticEntry{
      "thread-self", S_IFLNK, [fs](const DentryPtr& self) -> DentryPtr {
        return std::make_shared<Link>(
            fs, self, "thread-self",
            [](const Credentials& c, std::string* out) -> int64_t {
              if (c.pid <= 0) return -ENOENT;
              *out = absl::StrCat(c.pid, "/task/", c.tid);
              return 0;
            });
      }});
  statics->push_back(StaticEntry{
      "net", S_IFLNK, [fs](const DentryPtr& self) -> DentryPtr {
        return std::make_shared<Link>(
            fs, self, "net", [](const Credentials&, std::string* out) {
              *out = "self/net";
              return int64_t{0};
            });
      }});
  statics->push_back(StaticEntry{
      "mounts", S_IFLNK, [fs](const DentryPtr& self) -> DentryPtr {
        return std::make_shared<Link>(
            fs, self, "mounts", [](const Credentials&, std::string* out) {
              *out = "self/mounts";
              return int64_t{0};
            });
      }});
  statics->push_back(gen("cpuinfo", [] { return ReadHostFile("/proc/cpuinfo"); }));
  statics->push_back(gen("meminfo", MeminfoText));
  statics->push_back(gen("stat", [fs] { return StatSystemText(fs); }));
  statics->push_back(gen("uptime", [fs] {
    double up = (MonotonicNs() - procview::StartTimeNs(fs->kernel())) / 1e9;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    return absl::StrFormat("%.2f %.2f\n", up, up * ncpu);
  }));
  statics->push_back(gen("loadavg", [fs] {
    std::vector<pid_t> ids = procview::ProcessIds(fs->kernel());
    return absl::StrFormat("0.00 0.00 0.00 1/%d %d\n", ids.size(),
                           ids.empty() ? 0 : ids.back());
  }));
  statics->push_back(gen("version", [] {
    struct utsname u;
    ::uname(&u);
    return absl::StrCat("Linux version ", u.release,
                        " (runsc@sandbox) (gcc) ", u.version, "\n");
  }));
  statics->push_back(cst("filesystems",
                         "nodev\tsysfs\nnodev\ttmpfs\nnodev\tdevtmpfs\n"
                         "nodev\tproc\nnodev\tpipefs\nnodev\tanon_inodefs\n"
                         "nodev\thostfs\n"));
  statics->push_back(cst("cmdline", "BOOT_IMAGE=/vmlinuz runsc\n"));
  statics->push_back(cst("swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"));
  statics->push_back(StaticEntry{"sys", S_IFDIR, [fs](const DentryPtr& self) {
                                   return MakeSysDir(fs, self);
                                 }});
  return std::make_shared<Dir>(
      fs, nullptr, "", 0555,
      [fs, statics](std::vector<ChildInfo>* out) {
        for (const StaticEntry& e : *statics) out->push_back({e.name, e.type});
        for (pid_t p : procview::ProcessIds(fs->kernel())) {
          out->push_back({std::to_string(p), S_IFDIR});
        }
      },
      [fs, statics](const DentryPtr& self, const std::string& n,
                    DentryPtr* out) -> int64_t {
        pid_t pid;
        if (ParsePid(n, &pid)) {
          std::shared_ptr<ThreadGroup> tg = procview::FindProcess(fs->kernel(), pid);
          if (!tg) {
            // A thread id is reachable too (Linux hides it from listings).
            std::shared_ptr<Task> t = procview::FindTask(fs->kernel(), pid);
            if (!t) return -ENOENT;
            std::shared_ptr<ThreadGroup> owner = procview::ProcessOf(*t);
            if (!owner) return -ENOENT;
            *out = MakeProcessDir(Target{fs, procview::Tgid(*owner), pid}, self, n);
            return 0;
          }
          *out = MakeProcessDir(Target{fs, pid, 0}, self, n);
          return 0;
        }
        for (const StaticEntry& e : *statics) {
          if (e.name == n) {
            *out = e.make(self);
            return 0;
          }
        }
        return -ENOENT;
      });
}

}  // namespace

std::shared_ptr<vfs::Filesystem> NewProcfs(Kernel& kernel) {
  auto fs = std::make_shared<ProcFs>(kernel);
  fs->set_root(MakeRoot(fs.get()));
  return fs;
}

}  // namespace sentry::fs
