#include "abi/syscalls.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>

namespace uapi {
namespace {

// Dense number -> name arrays built at compile time from the sorted tables,
// so that a lookup is one bounds check and one load.
template <std::size_t N, int kMax>
constexpr std::array<const char*, kMax + 1> MakeDense(const SyscallName (&table)[N]) {
  std::array<const char*, kMax + 1> dense{};
  for (const SyscallName& s : table) dense[s.nr] = s.name;
  return dense;
}

template <std::size_t N>
constexpr bool SortedAndUnique(const SyscallName (&table)[N]) {
  for (std::size_t i = 1; i < N; ++i) {
    if (table[i - 1].nr >= table[i].nr) return false;
  }
  return true;
}

static_assert(SortedAndUnique(amd64::kSyscalls));
static_assert(SortedAndUnique(i386::kSyscalls));
static_assert(std::size(amd64::kSyscalls) == amd64::kNumSyscalls);
static_assert(std::size(i386::kSyscalls) == i386::kNumSyscalls);
static_assert(std::end(amd64::kSyscalls)[-1].nr == amd64::kMaxNr);
static_assert(std::end(i386::kSyscalls)[-1].nr == i386::kMaxNr);

constexpr auto kAmd64Names = MakeDense<std::size(amd64::kSyscalls), amd64::kMaxNr>(amd64::kSyscalls);
constexpr auto kI386Names = MakeDense<std::size(i386::kSyscalls), i386::kMaxNr>(i386::kSyscalls);

template <std::size_t M>
const char* Lookup(const std::array<const char*, M>& dense, int nr) {
  if (nr < 0 || static_cast<std::size_t>(nr) >= M) return nullptr;
  return dense[static_cast<std::size_t>(nr)];
}

template <std::size_t N>
int ReverseLookup(const SyscallName (&table)[N], std::string_view name) {
  auto it = std::find_if(std::begin(table), std::end(table),
                         [name](const SyscallName& s) { return name == s.name; });
  return it == std::end(table) ? -1 : it->nr;
}

}  // namespace

const char* Amd64SyscallName(int nr) { return Lookup(kAmd64Names, nr); }
const char* I386SyscallName(int nr) { return Lookup(kI386Names, nr); }

int Amd64SyscallNr(std::string_view name) { return ReverseLookup(amd64::kSyscalls, name); }
int I386SyscallNr(std::string_view name) { return ReverseLookup(i386::kSyscalls, name); }

}  // namespace uapi
