// The initial process stack of a new image, laid out in sentry memory.
//
// Pure computation (no address space): the loader writes the resulting block
// with a single CopyOut. The layout is Linux's (exec.c copies the strings,
// create_elf_tables adds the rest), from the top down:
//
//   top - 8          8 zero bytes
//                    exec file name (AT_EXECFN), NUL-terminated
//                    envp strings, then below them argv strings (each list
//                    in ascending order: argv[0] lowest)
//                    -- aligned down to 16 --
//                    "x86_64\0" (AT_PLATFORM)
//                    16 random bytes (AT_RANDOM)
//                    -- room for auxv and pointers, aligned down to 16 --
//   sp               argc, argv[0..argc), NULL, envp[0..envc), NULL, auxv
//                    pairs ending with AT_NULL, then padding up to the random
//                    bytes
#ifndef SENTRY_LOADER_STACK_H_
#define SENTRY_LOADER_STACK_H_

#include <cstdint>
#include <string>
#include <vector>

namespace sentry::loader {

// Linux's limits on exec arguments with the default 8 MiB RLIMIT_STACK.
inline constexpr uint64_t kInitialStackSize = 8ULL << 20;
// All strings plus their pointers: a quarter of the stack limit.
inline constexpr uint64_t kArgSpaceLimit = kInitialStackSize / 4;
// One string including its NUL (MAX_ARG_STRLEN, 32 pages).
inline constexpr uint64_t kMaxArgStrLen = 32 * 4096;

// False when exec must fail with E2BIG: a string longer than
// MAX_ARG_STRLEN, or strings and pointers above kArgSpaceLimit.
bool ArgsFit(const std::string& execfn, const std::vector<std::string>& argv,
             const std::vector<std::string>& envp);

// Values for the auxiliary vector that are not stack addresses.
struct AuxValues {
  uint64_t phdr = 0;   // AT_PHDR
  uint64_t phnum = 0;  // AT_PHNUM
  uint64_t base = 0;   // AT_BASE: interpreter load address or 0
  uint64_t entry = 0;  // AT_ENTRY: the executable's entry point
  uint64_t uid = 0, gid = 0;  // AT_UID/AT_EUID, AT_GID/AT_EGID
  uint64_t hwcap = 0, hwcap2 = 0;
  uint64_t minsigstksz = 0;  // AT_MINSIGSTKSZ; omitted when 0
  uint8_t random[16] = {};   // the bytes AT_RANDOM points at
};

struct StackImage {
  uint64_t sp = 0;             // initial rsp: the address of argc
  std::vector<uint8_t> block;  // contents of [sp, top)
  uint64_t arg_start = 0, arg_end = 0, env_start = 0, env_end = 0;
  std::vector<uint64_t> auxv;  // (type, value) pairs including AT_NULL
};

// Lays out the stack below `top` (page-aligned). Callers check ArgsFit
// first; `argv` must not be empty (exec supplies "" for an empty argv).
StackImage BuildInitialStack(uint64_t top, const std::string& execfn,
                             const std::vector<std::string>& argv,
                             const std::vector<std::string>& envp,
                             const AuxValues& aux);

}  // namespace sentry::loader

#endif  // SENTRY_LOADER_STACK_H_
