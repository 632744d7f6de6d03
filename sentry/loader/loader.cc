// execve(2) in the sentry: script interpreters, ELF mapping, initial stack.
//
// The layout follows Linux's binfmt_script.c, binfmt_elf.c (load_elf_binary,
// load_elf_interp, elf_load, create_elf_tables) and exec.c (the argument
// strings at the top of the stack), with two deliberate differences:
//  * no address-space randomisation: an ET_DYN executable goes at Linux's
//    non-randomised ELF_ET_DYN_BASE (0x555555554000 for the usual PIE), the
//    interpreter and the stack where the MemoryManager puts them;
//  * no vDSO, so no AT_SYSINFO_EHDR: libc then falls back to real syscalls
//    for clock_gettime/gettimeofday/time/getcpu, and each of those traps
//    into the sentry (slower, but the sentry owns the clocks).
// AT_RSEQ_FEATURE_SIZE/AT_RSEQ_ALIGN are omitted as well (no rseq).

#include "sentry/loader/loader.h"

#include <cpuid.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <random>

#include "abi/linux/auxv.h"
#include "abi/linux/elf.h"
#include "abi/linux/stat.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sentry/loader/elf.h"
#include "sentry/loader/stack.h"
#include "sentry/mm/memory_manager.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/vfs.h"

namespace sentry::loader {

namespace {

// exec_binprm() gives up when asked to handle a seventh file: a chain of at
// most five `#!` scripts may precede the ELF binary.
constexpr int kMaxInterpreterDepth = 5;
// x86-64 ELF_ET_DYN_BASE: two thirds of the 47-bit user space.
constexpr uint64_t kElfEtDynBase = 0x7ffffffff000ULL / 3 * 2;
// Size of the initial stack mapping (the default RLIMIT_STACK).
constexpr uint64_t kStackSize = kInitialStackSize;
// Lowest address a fixed mapping may use (vm.mmap_min_addr default).
constexpr uint64_t kMinMapAddr = 0x10000;

// A thread-safe description of an errno value.
std::string ErrText(int64_t neg_errno) {
  int e = static_cast<int>(-neg_errno);
  const char* d = strerrordesc_np(e);
  if (d == nullptr) return absl::StrCat("error ", e);
  return d;
}

// Error reporting: every failure goes through one of these, so the message
// always starts with the file it is about.
class Errors {
 public:
  explicit Errors(std::string* out) : out_(out) {}

  // "<path>: <strerror>" or "<path>: <what>: <strerror>".
  int64_t Fail(int64_t err, const std::string& path,
               const std::string& what = "") {
    if (out_ != nullptr) {
      *out_ = what.empty() ? absl::StrCat(path, ": ", ErrText(err))
                           : absl::StrCat(path, ": ", what, ": ", ErrText(err));
    }
    return err;
  }
  // "<path>: exec format error: <cause>".
  int64_t NoExec(const std::string& path, const std::string& cause) {
    if (out_ != nullptr) {
      *out_ = absl::StrCat(path, ": exec format error: ", cause);
    }
    return -ENOEXEC;
  }
  // Free-form message for an errno.
  int64_t Message(int64_t err, std::string msg) {
    if (out_ != nullptr) *out_ = std::move(msg);
    return err;
  }

 private:
  std::string* out_;
};

// How much of a file OpenExec reads at once: the ELF header and, for the
// usual executable and ld.so, the whole program header table and PT_INTERP
// string, so that ParseElf needs no further read. Only the first
// kBinprmBufSize bytes are looked at for a `#!` line, as Linux's.
constexpr uint64_t kExecPrefixSize = 1024;

// Reads a sandbox file through its FileDescription; reads that fall within
// the bytes OpenExec already read are served from them.
class FileSource : public ByteSource {
 public:
  FileSource(vfs::FileDescription& file, uint64_t size,
             const std::string& prefix)
      : file_(file), size_(size), prefix_(prefix) {}
  int64_t ReadAt(void* buf, uint64_t n, uint64_t off) override {
    if (off > static_cast<uint64_t>(INT64_MAX)) return 0;
    if (off <= prefix_.size() && n <= prefix_.size() - off) {
      std::memcpy(buf, prefix_.data() + off, n);
      return static_cast<int64_t>(n);
    }
    return file_.PRead(buf, n, static_cast<int64_t>(off));
  }
  uint64_t Size() const override { return size_; }

 private:
  vfs::FileDescription& file_;
  uint64_t size_;
  const std::string& prefix_;
};

// A file opened for execution, with its first bytes.
struct ExecFile {
  std::shared_ptr<vfs::FileDescription> file;
  std::string resolved;  // absolute sandbox path
  uint64_t size = 0;
  std::string head;  // up to kExecPrefixSize bytes from offset 0
};

int64_t OpenExec(vfs::VirtualFilesystem& vfs, const vfs::FsContext& fs,
                 const vfs::Credentials* creds, const std::string& path,
                 ExecFile* out) {
  int64_t r = creds ? vfs.OpenForExec(fs, path, *creds, &out->file,
                                      &out->resolved)
                    : vfs.OpenForExec(fs, path, &out->file, &out->resolved);
  if (r < 0) return r;
  if (out->file == nullptr) return -ENOENT;
  uapi::Stat st{};
  r = out->file->Stat(&st);
  if (r < 0) return r;
  out->size = st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
  const uint64_t want = std::min(kExecPrefixSize, std::max<uint64_t>(
                                                     out->size, kBinprmBufSize));
  out->head.assign(want, '\0');
  uint64_t got = 0;
  while (got < want) {
    r = out->file->PRead(out->head.data() + got, want - got,
                         static_cast<int64_t>(got));
    if (r == -EINTR) continue;
    if (r < 0) return r;
    if (r == 0) break;
    got += static_cast<uint64_t>(r);
  }
  out->head.resize(got);
  return 0;
}

// The mappings of an exec, made together: each MMap would be one platform
// round trip (an injected call in the stub), so the stack, every segment
// and every bss go to the MemoryManager as one batch. Zeroing the tail of a
// segment's last file page needs that page mapped: those writes follow the
// batch, and a mapping that would land on a page still to be zeroed first
// runs what is planned (Linux zeroes before mapping the next segment).
class MapPlan {
 public:
  explicit MapPlan(MemoryManager& mm) : mm_(mm) {}

  // Ranges planned but not yet mapped: placement must avoid them too.
  const std::vector<std::pair<uint64_t, uint64_t>>& busy() const {
    return busy_;
  }

  // Plans `o` (MAP_FIXED at o.addr); a failure is reported as
  // "<path>: <what>: <errno>".
  int64_t Add(const MemoryManager::MMapOpts& o, std::string path,
              std::string what) {
    const uint64_t end = o.addr + PageRoundUp(o.len);
    for (const Zero& z : zeros_) {
      if (z.addr < end && o.addr < z.addr + z.len) {
        int64_t r = Run();
        if (r < 0) return r;
        break;
      }
    }
    maps_.push_back(o);
    why_.push_back({std::move(path), std::move(what)});
    busy_.emplace_back(o.addr, end);
    return 0;
  }

  // Plans clearing [addr, addr+len) once mapped; a failure matters only
  // for a writable segment (Linux's padzero() on a read-only one may fail).
  void AddZero(uint64_t addr, uint64_t len, bool must, std::string path,
               std::string what) {
    zeros_.push_back({addr, len, must, std::move(path), std::move(what)});
  }

  // Maps everything planned, then clears the planned tails. The first
  // failure is returned, with its file and description.
  int64_t Run() {
    std::vector<int64_t> results(maps_.size(), 0);
    if (!maps_.empty()) {
      mm_.MMapFixedBatch(maps_.data(), maps_.size(), results.data());
    }
    int64_t ret = 0;
    for (size_t i = 0; i < maps_.size(); ++i) {
      if (results[i] < 0 && ret == 0) {
        ret = results[i];
        fail_path_ = why_[i].first;
        fail_what_ = why_[i].second;
      }
    }
    if (ret == 0) {
      for (const Zero& z : zeros_) {
        std::vector<uint8_t> zeros(z.len, 0);
        int64_t r = mm_.CopyOutForce(z.addr, zeros.data(), zeros.size());
        if (r < 0 && z.must) {
          ret = -EFAULT;
          fail_path_ = z.path;
          fail_what_ = z.what;
          break;
        }
      }
    }
    maps_.clear();
    why_.clear();
    zeros_.clear();
    busy_.clear();
    return ret;
  }

  const std::string& fail_path() const { return fail_path_; }
  const std::string& fail_what() const { return fail_what_; }

 private:
  struct Zero {
    uint64_t addr, len;
    bool must;
    std::string path, what;
  };
  MemoryManager& mm_;
  std::vector<MemoryManager::MMapOpts> maps_;
  std::vector<std::pair<std::string, std::string>> why_;
  std::vector<Zero> zeros_;
  std::vector<std::pair<uint64_t, uint64_t>> busy_;
  std::string fail_path_, fail_what_;
};

// True if [start, end) touches no VMA, no platform-reserved range and
// nothing `plan` is about to map.
bool RangeFree(MemoryManager& mm, const MapPlan& plan, uint64_t start,
               uint64_t end) {
  if (start < kMinMapAddr || end > kUserAddressEnd || start >= end) {
    return false;
  }
  for (const Vma& v : mm.Vmas()) {
    if (v.start < end && start < v.end) return false;
  }
  for (const platform::ReservedRange& r : mm.address_space().Reserved()) {
    if (r.start < end && start < r.end) return false;
  }
  for (const auto& [s, e] : plan.busy()) {
    if (s < end && start < e) return false;
  }
  return true;
}

std::string Hex(uint64_t x) { return absl::StrFormat("%#x", x); }

// Plans one PT_LOAD at `bias` like Linux's elf_load(): the file pages, the
// zeroed tail of the last file page, and anonymous pages for the rest.
// Failures name `err_path`.
int64_t PlanSegment(MapPlan& plan,
                    const std::shared_ptr<vfs::FileDescription>& file,
                    const std::string& name, const std::string& err_path,
                    const LoadSegment& seg, uint64_t bias, std::string* what) {
  const uint64_t addr = bias + seg.vaddr;
  const uint64_t page_off = addr & (kPageSize - 1);
  const uint64_t map_start = addr - page_off;
  uint64_t zero_start = map_start;
  if (seg.filesz > 0) {
    MemoryManager::MMapOpts o;
    o.addr = map_start;
    o.len = PageRoundUp(page_off + seg.filesz);
    o.prot = seg.prot;
    o.flags = MAP_PRIVATE | MAP_FIXED;
    o.file = file;
    o.offset = seg.offset - page_off;  // page-aligned: checked by ParseElf
    o.name = name;
    int64_t r =
        plan.Add(o, err_path, absl::StrCat("cannot map segment at ", Hex(addr)));
    if (r < 0) {
      *what = plan.fail_what();
      return r;
    }
    const uint64_t file_end = addr + seg.filesz;
    zero_start = PageRoundUp(file_end);
    if (seg.memsz > seg.filesz && zero_start > file_end) {
      // The file's bytes after p_filesz in the last page are bss: clear them.
      plan.AddZero(file_end, zero_start - file_end,
                   (seg.prot & PROT_WRITE) != 0, err_path,
                   absl::StrCat("cannot clear bss at ", Hex(file_end)));
    }
  }
  const uint64_t zero_end = PageRoundUp(addr + seg.memsz);
  if (seg.memsz > seg.filesz && zero_end > zero_start) {
    // As Linux's vm_brk_flags(): read-write, executable if the segment is.
    MemoryManager::MMapOpts o;
    o.addr = zero_start;
    o.len = zero_end - zero_start;
    o.prot = PROT_READ | PROT_WRITE | (seg.prot & PROT_EXEC);
    o.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
    int64_t r = plan.Add(o, err_path,
                         absl::StrCat("cannot map bss at ", Hex(zero_start)));
    if (r < 0) {
      *what = plan.fail_what();
      return r;
    }
  }
  return 0;
}

// Plans every PT_LOAD of `info`. The main executable, when ET_DYN, goes at
// ELF_ET_DYN_BASE if that range is free; an ET_DYN interpreter (or a main
// executable that cannot go there) gets a span where MemoryManager::MMap
// would put an anonymous mapping of its size; ET_EXEC goes where it was
// linked. Nothing is reserved on the host: the MemoryManager knows what is
// free, and the pages between segments stay unmapped as Linux leaves them.
// `*bias` receives the load bias.
// Failures name `err_path`.
int64_t PlanImage(MemoryManager& mm, MapPlan& plan, const ExecFile& f,
                  const std::string& err_path, const ElfInfo& info,
                  bool main_exe, uint64_t* bias, std::string* what) {
  const uint64_t span = info.span_end - info.span_start;
  uint64_t b = 0;
  if (info.type == uapi::kEtExec) {
    if (!RangeFree(mm, plan, info.span_start, info.span_end)) {
      *what = absl::StrCat("segments at ", Hex(info.span_start), "-",
                           Hex(info.span_end),
                           " overlap memory already in use");
      return -EEXIST;
    }
  } else {
    const uint64_t align = info.max_align;  // power of two >= page size
    bool placed = false;
    if (main_exe) {
      const uint64_t base = kElfEtDynBase & ~(align - 1);
      // Wrapping arithmetic on purpose, as Linux: bias + p_vaddr lands near
      // `base` whatever the link address.
      b = (base - info.loads.front().vaddr) & ~(kPageSize - 1);
      const uint64_t start = b + info.span_start;
      if (start <= kUserAddressEnd && span <= kUserAddressEnd - start &&
          RangeFree(mm, plan, start, start + span)) {
        placed = true;
      }
    }
    if (!placed) {
      if (span > kUserAddressEnd - (align - kPageSize)) {
        *what = "image too large for the address space";
        return -ENOMEM;
      }
      // Room for the span at any alignment, as an anonymous mmap of that
      // size would get.
      const uint64_t len = PageRoundUp(span) + (align - kPageSize);
      const uint64_t raw = mm.FindFree(len, plan.busy());
      if (raw == 0) {
        *what = absl::StrCat("cannot reserve ", span, " bytes");
        return -ENOMEM;
      }
      // First address >= raw congruent to span_start modulo the alignment.
      const uint64_t start = raw + ((info.span_start - raw) & (align - 1));
      b = start - info.span_start;
    }
  }

  for (const LoadSegment& seg : info.loads) {
    int64_t r = PlanSegment(plan, f.file, f.resolved, err_path, seg, b, what);
    if (r < 0) return r;
  }
  *bias = b;
  return 0;
}

// The host kernel's auxv entry `type`, or 0. Read from /proc/self/auxv:
// glibc's getauxval(AT_HWCAP) on x86 returns glibc's own HWCAP_X86_64 bits,
// not the kernel's CPUID.1:EDX word.
uint64_t HostAuxv(uint64_t type) {
  static const std::map<uint64_t, uint64_t>* const entries = [] {
    auto* m = new std::map<uint64_t, uint64_t>();
    int fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      uint64_t buf[512];
      size_t got = 0;
      while (got < sizeof(buf)) {
        ssize_t n = read(fd, reinterpret_cast<char*>(buf) + got,
                         sizeof(buf) - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<size_t>(n);
      }
      close(fd);
      for (size_t i = 0; i + 1 < got / sizeof(uint64_t); i += 2) {
        if (buf[i] == uapi::kAtNull) break;
        m->emplace(buf[i], buf[i + 1]);
      }
    }
    if (m->find(uapi::kAtHwcap) == m->end()) {
      unsigned a = 0, b = 0, c = 0, d = 0;
      if (__get_cpuid(1, &a, &b, &c, &d)) m->emplace(uapi::kAtHwcap, d);
    }
    for (uint64_t t : {uapi::kAtHwcap2, uapi::kAtMinsigstksz}) {
      if (m->find(t) == m->end()) m->emplace(t, getauxval(t));
    }
    return m;
  }();
  auto it = entries->find(type);
  return it == entries->end() ? 0 : it->second;
}

void FillRandom(uint8_t* buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t r = getrandom(buf + done, n - done, 0);
    if (r > 0) {
      done += static_cast<size_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  if (done < n) {
    std::random_device rd;
    for (; done < n; ++done) buf[done] = static_cast<uint8_t>(rd());
  }
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int64_t Load(vfs::VirtualFilesystem& vfs, const vfs::FsContext& fs,
             MemoryManager& mm, const ExecRequest& req, ExecImage* out,
             std::string* error) {
  Errors err(error);
  std::string what;

  // Linux (5.18+) gives a program started with an empty argv a "" argv[0].
  std::vector<std::string> argv = req.argv;
  if (argv.empty()) argv.emplace_back();

  // Find the ELF file, rewriting argv for each `#!` script on the way.
  ExecFile cur;
  std::string cur_path = req.path;  // the name the current file came by
  int64_t r = OpenExec(vfs, fs, req.creds, req.path, &cur);
  if (r < 0) return err.Fail(r, req.path);
  for (int depth = 0;; ++depth) {
    if (depth > kMaxInterpreterDepth) {
      return err.Message(
          -ELOOP, absl::StrCat(req.path, ": too many levels of #! ",
                               "interpreters (more than ",
                               kMaxInterpreterDepth, ")"));
    }
    if (HasElfMagic(cur.head)) break;
    if (!HasShebang(cur.head)) {
      return err.NoExec(cur_path, "not an ELF executable or #! script");
    }
    ScriptLine line;
    std::string why;
    r = ParseShebang(cur.head, &line, &why);
    if (r < 0) return err.NoExec(cur_path, why);

    std::vector<std::string> next_argv;
    next_argv.reserve(argv.size() + 2);
    next_argv.push_back(line.interp);
    if (line.arg) next_argv.push_back(*line.arg);
    next_argv.push_back(cur_path);
    next_argv.insert(next_argv.end(), argv.begin() + 1, argv.end());
    argv = std::move(next_argv);

    ExecFile next;
    // Linux looks an empty name ("#!" alone) up as the working directory,
    // which is not a regular file: EACCES.
    r = line.interp.empty() ? -EACCES
                            : OpenExec(vfs, fs, req.creds, line.interp, &next);
    if (r < 0) {
      return err.Fail(r, cur_path,
                      absl::StrCat("bad interpreter ", line.interp));
    }
    cur = std::move(next);
    cur_path = line.interp;
  }

  // Parse and validate the executable and its interpreter before touching
  // the address space.
  ElfInfo exe;
  {
    FileSource src(*cur.file, cur.size, cur.head);
    std::string why;
    r = ParseElf(src, &exe, &why);
    if (r == -ENOEXEC) return err.NoExec(cur_path, why);
    if (r < 0) return err.Fail(r, cur_path, "cannot read ELF headers");
  }
  ExecFile interp_file;
  ElfInfo interp;
  const bool has_interp = exe.interp.has_value();
  if (has_interp) {
    const std::string& ipath = *exe.interp;
    r = OpenExec(vfs, fs, req.creds, ipath, &interp_file);
    if (r < 0) {
      return err.Fail(r, cur_path, absl::StrCat("ELF interpreter ", ipath));
    }
    FileSource src(*interp_file.file, interp_file.size, interp_file.head);
    std::string why;
    r = ParseElf(src, &interp, &why);
    if (r == -ENOEXEC) {
      return err.Message(-ELIBBAD,
                         absl::StrCat(cur_path, ": bad ELF interpreter ",
                                      ipath, ": ", why));
    }
    if (r < 0) {
      return err.Fail(r, cur_path, absl::StrCat("ELF interpreter ", ipath));
    }
  }

  if (!ArgsFit(req.path, argv, req.envp)) {
    return err.Fail(-E2BIG, req.path);
  }

  // The stack first, like Linux, so that fixed segments cannot land on it.
  const uint64_t top = mm.StackTop();
  if (top < kStackSize + kMinMapAddr || top > kUserAddressEnd ||
      top % kPageSize != 0) {
    return err.Fail(-EINVAL, req.path,
                    absl::StrCat("bad stack top ", Hex(top)));
  }
  MapPlan plan(mm);
  {
    MemoryManager::MMapOpts o;
    o.addr = top - kStackSize;
    o.len = kStackSize;
    o.prot = PROT_READ | PROT_WRITE | (exe.exec_stack ? PROT_EXEC : 0);
    o.flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN;
    o.name = "[stack]";
    r = plan.Add(o, req.path, "cannot map the stack");
    if (r < 0) return err.Fail(r, plan.fail_path(), plan.fail_what());
  }

  uint64_t exe_bias = 0;
  r = PlanImage(mm, plan, cur, cur_path, exe, /*main_exe=*/true, &exe_bias,
                &what);
  if (r < 0) return err.Fail(r, cur_path, what);

  uint64_t interp_bias = 0;
  if (has_interp) {
    r = PlanImage(mm, plan, interp_file, interp_file.resolved, interp,
                  /*main_exe=*/false, &interp_bias, &what);
    if (r < 0) return err.Fail(r, interp_file.resolved, what);
  }
  r = plan.Run();
  if (r < 0) return err.Fail(r, plan.fail_path(), plan.fail_what());

  mm.SetBrkBase(exe_bias + exe.span_end);

  AuxValues aux;
  aux.phdr = exe_bias + exe.phdr_vaddr;
  aux.phnum = exe.phnum;
  // Linux reports 0 for an ET_EXEC interpreter (it has no load address).
  aux.base = has_interp && interp.type == uapi::kEtDyn ? interp_bias : 0;
  aux.entry = exe_bias + exe.entry;
  aux.uid = req.uid;
  aux.gid = req.gid;
  // The CPU is the host's: pass its capabilities through.
  aux.hwcap = HostAuxv(uapi::kAtHwcap);
  aux.hwcap2 = HostAuxv(uapi::kAtHwcap2);
  aux.minsigstksz = HostAuxv(uapi::kAtMinsigstksz);
  FillRandom(aux.random, sizeof(aux.random));

  StackImage stack = BuildInitialStack(top, req.path, argv, req.envp, aux);
  r = mm.CopyOut(stack.sp, stack.block.data(), stack.block.size());
  if (r < 0) return err.Fail(r, req.path, "cannot write the initial stack");
  mm.arg_start = stack.arg_start;
  mm.arg_end = stack.arg_end;
  mm.env_start = stack.env_start;
  mm.env_end = stack.env_end;
  mm.auxv = std::move(stack.auxv);

  out->entry = has_interp ? interp_bias + interp.entry : aux.entry;
  out->stack_pointer = stack.sp;
  out->exe_path = cur.resolved;
  out->comm = Basename(req.path).substr(0, 15);
  return 0;
}

}  // namespace sentry::loader
