#include "sentry/loader/elf.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sentry::loader {

namespace {

// Sets *why and returns -ENOEXEC.
int64_t Bad(std::string* why, std::string cause) {
  if (why != nullptr) *why = std::move(cause);
  return -ENOEXEC;
}

// a + b, or nullopt on 64-bit overflow.
std::optional<uint64_t> Add(uint64_t a, uint64_t b) {
  uint64_t r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}

bool IsPowerOfTwo(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// e_machine values worth naming in an error message (include/uapi/linux/
// elf-em.h); only EM_X86_64 is ever accepted.
std::string MachineName(uint16_t m) {
  switch (m) {
    case uapi::kEm386:
      return "i386";
    case 8:
      return "MIPS";
    case 20:
      return "PowerPC";
    case 21:
      return "PowerPC64";
    case 22:
      return "s390";
    case 40:
      return "ARM";
    case 183:
      return "AArch64";
    case 243:
      return "RISC-V";
    default:
      return absl::StrCat("machine ", m);
  }
}

std::string TypeName(uint16_t t) {
  switch (t) {
    case uapi::kEtNone:
      return "no file type (ET_NONE)";
    case uapi::kEtRel:
      return "relocatable object (ET_REL)";
    case uapi::kEtCore:
      return "core dump (ET_CORE)";
    default:
      return absl::StrCat("ELF type ", t);
  }
}

int ProtFromFlags(uint32_t flags) {
  int prot = 0;
  if (flags & uapi::kPfR) prot |= PROT_READ;
  if (flags & uapi::kPfW) prot |= PROT_WRITE;
  if (flags & uapi::kPfX) prot |= PROT_EXEC;
  return prot;
}

// Checks the fixed-size header; fills the header fields of `out`.
int64_t CheckHeader(const uapi::Elf64Ehdr& eh, uint64_t file_size,
                    ElfInfo* out, std::string* why) {
  const uint8_t* id = eh.e_ident;
  if (!HasElfMagic(std::string_view(reinterpret_cast<const char*>(id), 4))) {
    return Bad(why, "not an ELF file");
  }
  if (id[uapi::kEiClass] == uapi::kElfClass32) {
    return Bad(why, "32-bit ELF (ELFCLASS32) is not supported");
  }
  if (id[uapi::kEiClass] != uapi::kElfClass64) {
    return Bad(why, absl::StrCat("invalid ELF class ", id[uapi::kEiClass]));
  }
  if (id[uapi::kEiData] != uapi::kElfData2Lsb) {
    return Bad(why, "not a little-endian ELF file");
  }
  if (id[uapi::kEiVersion] != uapi::kEvCurrent ||
      eh.e_version != uapi::kEvCurrent) {
    return Bad(why, "unsupported ELF version");
  }
  if (eh.e_type != uapi::kEtExec && eh.e_type != uapi::kEtDyn) {
    return Bad(why, absl::StrCat("not an executable: ", TypeName(eh.e_type)));
  }
  if (eh.e_machine != uapi::kEmX86_64) {
    return Bad(why, absl::StrCat("wrong architecture: ",
                                 MachineName(eh.e_machine),
                                 " (expected x86-64)"));
  }
  if (eh.e_phentsize != sizeof(uapi::Elf64Phdr)) {
    return Bad(why, absl::StrCat("bad program header size e_phentsize=",
                                 eh.e_phentsize));
  }
  if (eh.e_phnum == 0) return Bad(why, "no program headers (e_phnum=0)");
  uint64_t table = uint64_t{eh.e_phnum} * sizeof(uapi::Elf64Phdr);
  if (table > kMaxPhdrTableBytes) {
    return Bad(why, absl::StrCat("program header table too large (",
                                 eh.e_phnum, " entries)"));
  }
  std::optional<uint64_t> table_end = Add(eh.e_phoff, table);
  if (!table_end || *table_end > file_size) {
    return Bad(why, "program header table extends past end of file");
  }
  if (eh.e_entry >= kUserAddressEnd) {
    return Bad(why, "entry point outside the user address space");
  }
  out->type = eh.e_type;
  out->entry = eh.e_entry;
  out->phoff = eh.e_phoff;
  out->phnum = eh.e_phnum;
  return 0;
}

// Validates one PT_LOAD and appends it to out->loads.
int64_t CheckLoad(const uapi::Elf64Phdr& ph, size_t index, uint64_t file_size,
                  ElfInfo* out, std::string* why) {
  const std::string where = absl::StrCat("PT_LOAD #", index);
  if (ph.p_filesz > ph.p_memsz) {
    return Bad(why, absl::StrCat(where, ": p_filesz exceeds p_memsz"));
  }
  std::optional<uint64_t> file_end = Add(ph.p_offset, ph.p_filesz);
  if (!file_end || (ph.p_filesz != 0 && *file_end > file_size)) {
    return Bad(why, absl::StrCat(where, ": segment extends past end of file"));
  }
  std::optional<uint64_t> mem_end = Add(ph.p_vaddr, ph.p_memsz);
  if (!mem_end) {
    return Bad(why, absl::StrCat(where, ": p_vaddr + p_memsz overflows"));
  }
  if (*mem_end > kUserAddressEnd) {
    return Bad(why, absl::StrCat(where,
                                 ": segment lies beyond the user address "
                                 "space"));
  }
  if (ph.p_align > 1 && !IsPowerOfTwo(ph.p_align)) {
    return Bad(why, absl::StrFormat("%s: p_align %#x is not a power of two",
                                    where, ph.p_align));
  }
  // mmap needs the file offset and the address to share their page offset.
  if ((ph.p_vaddr - ph.p_offset) % kElfPageSize != 0) {
    return Bad(why, absl::StrCat(where,
                                 ": p_vaddr and p_offset differ modulo the "
                                 "page size"));
  }
  if (ph.p_memsz == 0) return 0;  // maps nothing; Linux ignores it too
  if (!out->loads.empty()) {
    const LoadSegment& prev = out->loads.back();
    if (ph.p_vaddr < prev.vaddr) {
      return Bad(why, absl::StrCat(where,
                                   ": PT_LOAD segments are not sorted by "
                                   "address"));
    }
    if (ph.p_vaddr < prev.vaddr + prev.memsz) {
      return Bad(why,
                 absl::StrCat(where, ": overlaps the previous PT_LOAD"));
    }
  }
  LoadSegment seg;
  seg.vaddr = ph.p_vaddr;
  seg.memsz = ph.p_memsz;
  seg.offset = ph.p_offset;
  seg.filesz = ph.p_filesz;
  seg.align = ph.p_align;
  seg.prot = ProtFromFlags(ph.p_flags);
  out->loads.push_back(seg);
  if (ph.p_align > out->max_align) out->max_align = ph.p_align;
  return 0;
}

int64_t ReadInterp(ByteSource& src, const uapi::Elf64Phdr& ph,
                   uint64_t file_size, ElfInfo* out, std::string* why) {
  if (out->interp.has_value()) return Bad(why, "more than one PT_INTERP");
  if (ph.p_filesz < 2) return Bad(why, "PT_INTERP is empty");
  if (ph.p_filesz > kMaxInterpBytes) {
    return Bad(why, "PT_INTERP path is longer than PATH_MAX");
  }
  std::optional<uint64_t> end = Add(ph.p_offset, ph.p_filesz);
  if (!end || *end > file_size) {
    return Bad(why, "PT_INTERP extends past end of file");
  }
  std::string buf(ph.p_filesz, '\0');
  int64_t r = ReadFull(src, buf.data(), buf.size(), ph.p_offset);
  if (r < 0) return r;
  if (buf.back() != '\0') return Bad(why, "PT_INTERP is not NUL-terminated");
  buf.resize(strlen(buf.c_str()));
  out->interp = std::move(buf);
  return 0;
}

}  // namespace

int64_t BufferSource::ReadAt(void* buf, uint64_t n, uint64_t off) {
  if (off >= data_.size()) return 0;
  uint64_t count = std::min<uint64_t>(n, data_.size() - off);
  memcpy(buf, data_.data() + off, count);
  return static_cast<int64_t>(count);
}

int64_t ReadFull(ByteSource& src, void* buf, uint64_t n, uint64_t off) {
  auto* p = static_cast<uint8_t*>(buf);
  uint64_t done = 0;
  while (done < n) {
    std::optional<uint64_t> pos = Add(off, done);
    if (!pos || *pos > static_cast<uint64_t>(INT64_MAX)) return -EIO;
    int64_t r = src.ReadAt(p + done, n - done, *pos);
    if (r < 0) {
      if (r == -EINTR) continue;
      return r;
    }
    if (r == 0) return -EIO;
    done += static_cast<uint64_t>(r);
  }
  return 0;
}

bool HasElfMagic(std::string_view head) {
  return head.size() >= 4 && head[0] == 0x7f && head[1] == 'E' &&
         head[2] == 'L' && head[3] == 'F';
}

int64_t ParseElf(ByteSource& src, ElfInfo* out, std::string* why) {
  *out = ElfInfo();
  const uint64_t file_size = src.Size();
  if (file_size < sizeof(uapi::Elf64Ehdr)) {
    // Say "not an ELF file" for tiny non-ELF files, "truncated" otherwise.
    char magic[4] = {};
    uint64_t n = std::min<uint64_t>(file_size, sizeof(magic));
    int64_t r = ReadFull(src, magic, n, 0);
    if (r < 0) return r;
    if (!HasElfMagic(std::string_view(magic, n))) {
      return Bad(why, "not an ELF file");
    }
    return Bad(why, "file too short for an ELF header");
  }
  uapi::Elf64Ehdr eh;
  int64_t r = ReadFull(src, &eh, sizeof(eh), 0);
  if (r < 0) return r;
  r = CheckHeader(eh, file_size, out, why);
  if (r < 0) return r;

  out->phdrs.resize(eh.e_phnum);
  r = ReadFull(src, out->phdrs.data(),
               out->phdrs.size() * sizeof(uapi::Elf64Phdr), eh.e_phoff);
  if (r < 0) return r;

  bool have_pt_phdr = false;
  bool have_phdr_from_load = false;
  for (size_t i = 0; i < out->phdrs.size(); ++i) {
    const uapi::Elf64Phdr& ph = out->phdrs[i];
    switch (ph.p_type) {
      case uapi::kPtLoad: {
        r = CheckLoad(ph, out->loads.size(), file_size, out, why);
        if (r < 0) return r;
        // The first segment whose file bytes hold the header table maps it.
        if (!have_phdr_from_load && ph.p_offset <= eh.e_phoff &&
            eh.e_phoff - ph.p_offset < ph.p_filesz) {
          have_phdr_from_load = true;
          if (!have_pt_phdr) {
            out->phdr_vaddr = eh.e_phoff - ph.p_offset + ph.p_vaddr;
          }
        }
        break;
      }
      case uapi::kPtInterp:
        r = ReadInterp(src, ph, file_size, out, why);
        if (r < 0) return r;
        break;
      case uapi::kPtPhdr:
        if (!have_pt_phdr) {
          have_pt_phdr = true;
          out->phdr_vaddr = ph.p_vaddr;
        }
        break;
      case uapi::kPtGnuStack:
        out->exec_stack = (ph.p_flags & uapi::kPfX) != 0;
        break;
      default:
        break;
    }
  }
  if (out->loads.empty()) return Bad(why, "no loadable segments");

  const LoadSegment& first = out->loads.front();
  const LoadSegment& last = out->loads.back();
  out->span_start = first.vaddr & ~(kElfPageSize - 1);
  // last.vaddr + last.memsz <= kUserAddressEnd, so rounding up cannot wrap.
  out->span_end =
      (last.vaddr + last.memsz + kElfPageSize - 1) & ~(kElfPageSize - 1);
  if (out->type == uapi::kEtExec && out->span_start == 0) {
    // Linux would refuse to map page zero (vm.mmap_min_addr).
    return Bad(why, "ET_EXEC segment at address zero");
  }
  return 0;
}

bool HasShebang(std::string_view head) {
  return head.size() >= 2 && head[0] == '#' && head[1] == '!';
}

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

int64_t ParseShebang(std::string_view head, ScriptLine* out,
                     std::string* why) {
  if (!HasShebang(head)) return Bad(why, "not a #! script");
  // The kernel looks at a 256-byte buffer, NUL-padded past end of file.
  char buf[kBinprmBufSize] = {};
  memcpy(buf, head.data(), std::min<size_t>(head.size(), sizeof(buf)));
  const size_t last = sizeof(buf) - 1;  // index of the final byte

  // `end` is the index one past the line's usable bytes.
  size_t end;
  const void* nl = memchr(buf, '\n', sizeof(buf));
  if (nl != nullptr) {
    end = static_cast<const char*>(nl) - buf;
  } else {
    // No newline: the interpreter path must still end inside the buffer
    // (a blank or NUL after it), otherwise it may have been cut.
    size_t i = 2;
    while (i <= last && IsBlank(buf[i])) ++i;
    if (i > last) return Bad(why, "#! line holds only blanks");
    size_t j = i;
    while (j <= last && !IsBlank(buf[j]) && buf[j] != '\0') ++j;
    if (j > last) {
      return Bad(why, "#! interpreter path is too long (truncated)");
    }
    end = last;  // the final byte is dropped, as the kernel's NUL lands there
  }
  while (end > 2 && IsBlank(buf[end - 1])) --end;

  size_t name = 2;
  while (name < end && IsBlank(buf[name])) ++name;
  if (name >= end) return Bad(why, "no interpreter named in #! line");

  size_t sep = name;
  while (sep < end && !IsBlank(buf[sep]) && buf[sep] != '\0') ++sep;

  // C-string semantics: each piece ends at its first NUL, as in the kernel.
  auto cstr = [&](size_t from, size_t to) {
    std::string_view piece(buf + from, to - from);
    size_t nul = piece.find('\0');
    if (nul != std::string_view::npos) piece = piece.substr(0, nul);
    return std::string(piece);
  };

  out->interp = cstr(name, sep);
  out->arg.reset();
  if (sep < end && buf[sep] != '\0') {
    size_t arg = sep;
    while (arg < end && IsBlank(buf[arg])) ++arg;
    if (arg < end) out->arg = cstr(arg, end);
  }
  return 0;
}

}  // namespace sentry::loader
