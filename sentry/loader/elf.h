// ELF and `#!` parsing for the loader, with no dependency on a sandbox.
//
// Everything here works on bytes read through a ByteSource (a file in the
// sandbox VFS, or a buffer in unit tests) and treats them as hostile: every
// offset and size is bounds-checked with overflow-safe 64-bit arithmetic, and
// any inconsistency is reported as -ENOEXEC with a one-line cause.
//
// Only what Linux's x86-64 binfmt_elf accepts for a native process is
// accepted: ELF64, little-endian, EM_X86_64, ET_EXEC or ET_DYN.
#ifndef SENTRY_LOADER_ELF_H_
#define SENTRY_LOADER_ELF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "abi/linux/elf.h"

namespace sentry::loader {

// First address past the x86-64 user address space with 4-level paging
// (TASK_SIZE_MAX: 1 << 47 minus the guard page Linux keeps below it).
inline constexpr uint64_t kUserAddressEnd = 0x7ffffffff000ULL;
// Bytes of a file the kernel looks at to choose a binary format
// (BINPRM_BUF_SIZE); also bounds a `#!` line.
inline constexpr uint64_t kBinprmBufSize = 256;
// Largest program header table accepted (as load_elf_phdrs).
inline constexpr uint64_t kMaxPhdrTableBytes = 64 * 1024;
// Longest PT_INTERP string, including its NUL (PATH_MAX).
inline constexpr uint64_t kMaxInterpBytes = 4096;
// Loader page size (ELF_MIN_ALIGN on x86-64).
inline constexpr uint64_t kElfPageSize = 4096;

// Random-access, read-only view of a file's bytes.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes at `off`. Returns the count read (short only at end
  // of file) or a negative errno.
  virtual int64_t ReadAt(void* buf, uint64_t n, uint64_t off) = 0;
  // File size in bytes.
  virtual uint64_t Size() const = 0;
};

// A ByteSource over memory the caller keeps alive (unit tests, fixtures).
class BufferSource : public ByteSource {
 public:
  explicit BufferSource(std::string_view data) : data_(data) {}
  int64_t ReadAt(void* buf, uint64_t n, uint64_t off) override;
  uint64_t Size() const override { return data_.size(); }

 private:
  std::string_view data_;
};

// Reads exactly `n` bytes at `off` (looping over short reads). Returns 0,
// -EIO if the file ends first, or the reader's negative errno.
int64_t ReadFull(ByteSource& src, void* buf, uint64_t n, uint64_t off);

// One PT_LOAD segment, in file terms (before any load bias).
struct LoadSegment {
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  uint64_t offset = 0;
  uint64_t filesz = 0;
  uint64_t align = 0;  // p_align as given (0 or 1: none)
  int prot = 0;        // PROT_* from p_flags
};

// A validated ELF executable or interpreter.
struct ElfInfo {
  uint16_t type = 0;  // uapi::kEtExec or uapi::kEtDyn
  uint64_t entry = 0;
  uint64_t phoff = 0;
  uint16_t phnum = 0;
  std::vector<uapi::Elf64Phdr> phdrs;  // the whole table, file order
  // PT_LOAD segments with p_memsz > 0, ascending and non-overlapping.
  std::vector<LoadSegment> loads;
  // PT_INTERP path (up to its first NUL), if the file has one.
  std::optional<std::string> interp;
  // PT_GNU_STACK asks for an executable stack.
  bool exec_stack = false;
  // Unbiased address of the program header table in memory (AT_PHDR): from
  // PT_PHDR, else the first PT_LOAD whose file bytes cover e_phoff, else 0.
  uint64_t phdr_vaddr = 0;
  // Page-aligned extent of all loads, before bias: [span_start, span_end).
  uint64_t span_start = 0;
  uint64_t span_end = 0;
  // Largest power-of-two p_align among the loads, at least the page size.
  uint64_t max_align = kElfPageSize;
};

// True if `head` starts with the ELF magic "\x7fELF".
bool HasElfMagic(std::string_view head);

// Parses and validates the ELF file behind `src`. Returns 0 and fills `*out`;
// -ENOEXEC with `*why` naming the cause ("program header table extends past
// end of file"); or a negative errno from the reader.
int64_t ParseElf(ByteSource& src, ElfInfo* out, std::string* why);

// The interpreter line of a `#!` script.
struct ScriptLine {
  std::string interp;              // interpreter path
  std::optional<std::string> arg;  // at most one argument: the rest of line
};

// True if `head` starts with "#!".
bool HasShebang(std::string_view head);

// Parses a `#!` line exactly as Linux's binfmt_script does. `head` holds the
// file's first bytes (at most kBinprmBufSize are looked at; a shorter file
// behaves as if NUL-padded). Spaces and tabs separate the interpreter from
// its single optional argument; everything after the interpreter's
// separating blanks, with trailing blanks removed, is that argument. A line
// with no newline in the first 256 bytes is cut at byte 255 (only the
// argument may be cut: a path with no terminator in range is refused).
// Returns 0, or -ENOEXEC with `*why` set.
int64_t ParseShebang(std::string_view head, ScriptLine* out, std::string* why);

}  // namespace sentry::loader

#endif  // SENTRY_LOADER_ELF_H_
