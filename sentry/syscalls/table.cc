#include "sentry/syscalls/table.h"

#include "abi/syscalls.h"

namespace sentry {

namespace {

template <size_t N>
std::vector<SyscallEntry> Skeleton(const uapi::SyscallName (&names)[N],
                                   int max_nr) {
  // Every number the ABI knows starts out unimplemented; the arch table
  // then fills in what the sentry implements.
  std::vector<SyscallEntry> v(static_cast<size_t>(max_nr) + 1);
  for (const auto& n : names) {
    v[n.nr].nr = n.nr;
    v[n.nr].name = n.name;
  }
  return v;
}

}  // namespace

SyscallTable::SyscallTable(platform::Arch arch,
                           std::vector<SyscallEntry> entries)
    : arch_(arch) {
  by_nr_ = arch == platform::Arch::kAmd64
               ? Skeleton(uapi::amd64::kSyscalls, uapi::amd64::kMaxNr)
               : Skeleton(uapi::i386::kSyscalls, uapi::i386::kMaxNr);
  for (auto& e : entries) {
    if (e.nr < 0 || static_cast<size_t>(e.nr) >= by_nr_.size()) continue;
    const char* abi_name = by_nr_[e.nr].name;
    by_nr_[e.nr] = e;
    if (abi_name) by_nr_[e.nr].name = abi_name;  // the ABI's name wins
  }
}

const SyscallTable& TableFor(platform::Arch arch) {
  return arch == platform::Arch::kAmd64 ? Amd64Table() : I386Table();
}

}  // namespace sentry
