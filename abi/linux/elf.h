// ELF headers the loader parses (include/uapi/linux/elf.h). Constants carry
// a k prefix so they can share a translation unit with libc's <elf.h>.
#ifndef ABI_LINUX_ELF_H_
#define ABI_LINUX_ELF_H_

#include <cstddef>
#include <cstdint>

namespace uapi {

// e_ident.
inline constexpr std::size_t kEiNident = 16;
inline constexpr uint8_t kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr std::size_t kEiClass = 4;
inline constexpr std::size_t kEiData = 5;
inline constexpr std::size_t kEiVersion = 6;
inline constexpr std::size_t kEiOsabi = 7;
inline constexpr uint8_t kElfClass32 = 1;
inline constexpr uint8_t kElfClass64 = 2;
inline constexpr uint8_t kElfData2Lsb = 1;
inline constexpr uint8_t kElfOsabiSysv = 0;
inline constexpr uint8_t kElfOsabiGnu = 3;
inline constexpr uint32_t kEvCurrent = 1;

// e_type.
inline constexpr uint16_t kEtNone = 0;
inline constexpr uint16_t kEtRel = 1;
inline constexpr uint16_t kEtExec = 2;
inline constexpr uint16_t kEtDyn = 3;
inline constexpr uint16_t kEtCore = 4;

// e_machine.
inline constexpr uint16_t kEm386 = 3;
inline constexpr uint16_t kEmX86_64 = 62;

// p_type.
inline constexpr uint32_t kPtNull = 0;
inline constexpr uint32_t kPtLoad = 1;
inline constexpr uint32_t kPtDynamic = 2;
inline constexpr uint32_t kPtInterp = 3;
inline constexpr uint32_t kPtNote = 4;
inline constexpr uint32_t kPtShlib = 5;
inline constexpr uint32_t kPtPhdr = 6;
inline constexpr uint32_t kPtTls = 7;
inline constexpr uint32_t kPtGnuEhFrame = 0x6474e550;
inline constexpr uint32_t kPtGnuStack = 0x6474e551;
inline constexpr uint32_t kPtGnuRelro = 0x6474e552;
inline constexpr uint32_t kPtGnuProperty = 0x6474e553;

// p_flags.
inline constexpr uint32_t kPfX = 0x1;
inline constexpr uint32_t kPfW = 0x2;
inline constexpr uint32_t kPfR = 0x4;

struct Elf64Ehdr {
  uint8_t e_ident[kEiNident];
  uint16_t e_type;
  uint16_t e_machine;
  uint32_t e_version;
  uint64_t e_entry;
  uint64_t e_phoff;
  uint64_t e_shoff;
  uint32_t e_flags;
  uint16_t e_ehsize;
  uint16_t e_phentsize;
  uint16_t e_phnum;
  uint16_t e_shentsize;
  uint16_t e_shnum;
  uint16_t e_shstrndx;
};
static_assert(sizeof(Elf64Ehdr) == 64);
static_assert(offsetof(Elf64Ehdr, e_type) == 16);
static_assert(offsetof(Elf64Ehdr, e_entry) == 24);
static_assert(offsetof(Elf64Ehdr, e_phoff) == 32);
static_assert(offsetof(Elf64Ehdr, e_flags) == 48);
static_assert(offsetof(Elf64Ehdr, e_phentsize) == 54);
static_assert(offsetof(Elf64Ehdr, e_phnum) == 56);

struct Elf64Phdr {
  uint32_t p_type;
  uint32_t p_flags;
  uint64_t p_offset;
  uint64_t p_vaddr;
  uint64_t p_paddr;
  uint64_t p_filesz;
  uint64_t p_memsz;
  uint64_t p_align;
};
static_assert(sizeof(Elf64Phdr) == 56);
static_assert(offsetof(Elf64Phdr, p_offset) == 8);
static_assert(offsetof(Elf64Phdr, p_vaddr) == 16);
static_assert(offsetof(Elf64Phdr, p_filesz) == 32);
static_assert(offsetof(Elf64Phdr, p_align) == 48);

struct Elf32Ehdr {
  uint8_t e_ident[kEiNident];
  uint16_t e_type;
  uint16_t e_machine;
  uint32_t e_version;
  uint32_t e_entry;
  uint32_t e_phoff;
  uint32_t e_shoff;
  uint32_t e_flags;
  uint16_t e_ehsize;
  uint16_t e_phentsize;
  uint16_t e_phnum;
  uint16_t e_shentsize;
  uint16_t e_shnum;
  uint16_t e_shstrndx;
};
static_assert(sizeof(Elf32Ehdr) == 52);
static_assert(offsetof(Elf32Ehdr, e_entry) == 24);
static_assert(offsetof(Elf32Ehdr, e_phoff) == 28);
static_assert(offsetof(Elf32Ehdr, e_phentsize) == 42);
static_assert(offsetof(Elf32Ehdr, e_phnum) == 44);

// Note the different member order from Elf64Phdr (p_flags comes late).
struct Elf32Phdr {
  uint32_t p_type;
  uint32_t p_offset;
  uint32_t p_vaddr;
  uint32_t p_paddr;
  uint32_t p_filesz;
  uint32_t p_memsz;
  uint32_t p_flags;
  uint32_t p_align;
};
static_assert(sizeof(Elf32Phdr) == 32);
static_assert(offsetof(Elf32Phdr, p_flags) == 24);

// Checks e_ident[0..3].
constexpr bool HasElfMagic(const uint8_t* ident) {
  return ident[0] == kElfMagic[0] && ident[1] == kElfMagic[1] && ident[2] == kElfMagic[2] &&
         ident[3] == kElfMagic[3];
}

}  // namespace uapi

#endif  // ABI_LINUX_ELF_H_
