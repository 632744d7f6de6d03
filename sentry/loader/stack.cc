#include "sentry/loader/stack.h"

#include <cstring>

#include "abi/linux/auxv.h"
#include "abi/linux/elf.h"

namespace sentry::loader {

namespace {

// AT_PLATFORM string for x86-64 (ELF_PLATFORM).
constexpr char kPlatform[] = "x86_64";
constexpr uint64_t kWord = sizeof(uint64_t);

}  // namespace

bool ArgsFit(const std::string& execfn, const std::vector<std::string>& argv,
             const std::vector<std::string>& envp) {
  uint64_t total = (argv.size() + envp.size()) * kWord;
  if (total > kArgSpaceLimit) return false;
  auto add = [&total](const std::string& s) {
    if (s.size() + 1 > kMaxArgStrLen) return false;
    total += s.size() + 1;
    return total <= kArgSpaceLimit;
  };
  if (!add(execfn)) return false;
  for (const std::string& s : argv) {
    if (!add(s)) return false;
  }
  for (const std::string& s : envp) {
    if (!add(s)) return false;
  }
  return true;
}

StackImage BuildInitialStack(uint64_t top, const std::string& execfn,
                             const std::vector<std::string>& argv,
                             const std::vector<std::string>& envp,
                             const AuxValues& aux) {
  StackImage img;

  // Strings, from the top down.
  const uint64_t execfn_addr = top - kWord - (execfn.size() + 1);
  uint64_t env_bytes = 0, arg_bytes = 0;
  for (const std::string& s : envp) env_bytes += s.size() + 1;
  for (const std::string& s : argv) arg_bytes += s.size() + 1;
  const uint64_t env_start = execfn_addr - env_bytes;
  const uint64_t arg_start = env_start - arg_bytes;

  uint64_t p = arg_start & ~uint64_t{15};
  const uint64_t platform_addr = p - sizeof(kPlatform);
  const uint64_t random_addr = platform_addr - sizeof(aux.random);
  p = random_addr;

  // The auxiliary vector, in create_elf_tables' order. ARCH_DLINFO would
  // put AT_SYSINFO_EHDR first: there is no vDSO (see loader.cc).
  std::vector<uint64_t>& av = img.auxv;
  auto put = [&av](uint64_t type, uint64_t val) {
    av.push_back(type);
    av.push_back(val);
  };
  if (aux.minsigstksz != 0) put(uapi::kAtMinsigstksz, aux.minsigstksz);
  put(uapi::kAtHwcap, aux.hwcap);
  put(uapi::kAtPagesz, 4096);
  put(uapi::kAtClktck, 100);
  put(uapi::kAtPhdr, aux.phdr);
  put(uapi::kAtPhent, sizeof(uapi::Elf64Phdr));
  put(uapi::kAtPhnum, aux.phnum);
  put(uapi::kAtBase, aux.base);
  put(uapi::kAtFlags, 0);
  put(uapi::kAtEntry, aux.entry);
  put(uapi::kAtUid, aux.uid);
  put(uapi::kAtEuid, aux.uid);
  put(uapi::kAtGid, aux.gid);
  put(uapi::kAtEgid, aux.gid);
  put(uapi::kAtSecure, 0);
  put(uapi::kAtRandom, random_addr);
  put(uapi::kAtHwcap2, aux.hwcap2);
  put(uapi::kAtExecfn, execfn_addr);
  put(uapi::kAtPlatform, platform_addr);
  put(uapi::kAtNull, 0);

  // Room for the auxv, then for argc and the two NULL-terminated pointer
  // arrays, rounded down to 16 (STACK_ADD, then STACK_ROUND).
  const uint64_t items = (argv.size() + 1) + (envp.size() + 1) + 1;
  const uint64_t sp = (p - av.size() * kWord - items * kWord) & ~uint64_t{15};

  img.sp = sp;
  img.block.assign(top - sp, 0);
  auto at = [&](uint64_t addr) { return img.block.data() + (addr - sp); };
  auto put_word = [&](uint64_t addr, uint64_t v) {
    memcpy(at(addr), &v, sizeof(v));
  };

  memcpy(at(execfn_addr), execfn.c_str(), execfn.size() + 1);
  memcpy(at(platform_addr), kPlatform, sizeof(kPlatform));
  memcpy(at(random_addr), aux.random, sizeof(aux.random));

  uint64_t w = sp;  // where the next pointer word goes
  put_word(w, argv.size());
  w += kWord;
  uint64_t q = arg_start;  // where the next string goes
  for (const std::string& s : argv) {
    memcpy(at(q), s.c_str(), s.size() + 1);
    put_word(w, q);
    w += kWord;
    q += s.size() + 1;
  }
  put_word(w, 0);
  w += kWord;
  for (const std::string& s : envp) {
    memcpy(at(q), s.c_str(), s.size() + 1);
    put_word(w, q);
    w += kWord;
    q += s.size() + 1;
  }
  put_word(w, 0);
  w += kWord;
  memcpy(at(w), av.data(), av.size() * kWord);

  img.arg_start = arg_start;
  img.arg_end = env_start;
  img.env_start = env_start;
  img.env_end = execfn_addr;
  return img;
}

}  // namespace sentry::loader
