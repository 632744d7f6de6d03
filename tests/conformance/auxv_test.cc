// The auxiliary vector the kernel (or the sandbox's loader) puts above envp
// on the initial stack, read both through getauxval(3) and directly.
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "test_util.h"

extern "C" {
// Provided by the linker: the ELF header of this executable, at its load base.
extern const ElfW(Ehdr) __ehdr_start;
// The entry point from crt1.o.
void _start();
}

namespace {

TEST(AuxvTest, PageSize) {
  EXPECT_EQ(getauxval(AT_PAGESZ), 4096u);
  EXPECT_EQ(sysconf(_SC_PAGESIZE), 4096);
}

TEST(AuxvTest, RandomBytesAreReadable) {
  const unsigned long at_random = getauxval(AT_RANDOM);
  ASSERT_NE(at_random, 0u);
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(at_random);
  // 16 bytes must be readable; the chance that all are zero is 2^-128.
  bool all_zero = true;
  for (int i = 0; i < 16; ++i) {
    if (bytes[i] != 0) all_zero = false;
  }
  EXPECT_FALSE(all_zero);
}

TEST(AuxvTest, ExecfnIsThePathGivenToExecve) {
  const char* execfn = reinterpret_cast<const char*>(getauxval(AT_EXECFN));
  ASSERT_NE(execfn, nullptr);
  ASSERT_GT(conformance::OriginalArgc(), 0);
  const char* argv0 = conformance::OriginalArgv()[0];
  if (strchr(argv0, '/') != nullptr) {
    // Started by path (ctest, runsc do -- /path/bin, ./bin): the caller passed
    // the same string as the file name and as argv[0].
    EXPECT_STREQ(execfn, argv0);
  } else {
    // Started through a PATH search: the file name is DIR/argv0.
    const char* slash = strrchr(execfn, '/');
    EXPECT_STREQ(slash != nullptr ? slash + 1 : execfn, argv0);
  }
  EXPECT_THAT(access(execfn, X_OK), SyscallSucceeds());
}

TEST(AuxvTest, PhdrPointsAtTheProgramHeaders) {
  const uintptr_t base = reinterpret_cast<uintptr_t>(&__ehdr_start);
  EXPECT_EQ(memcmp(__ehdr_start.e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(getauxval(AT_PHDR), base + __ehdr_start.e_phoff);
  EXPECT_EQ(getauxval(AT_PHENT), sizeof(ElfW(Phdr)));
  EXPECT_EQ(getauxval(AT_PHNUM), __ehdr_start.e_phnum);
}

int FindMainObject(struct dl_phdr_info* info, size_t, void* data) {
  // The main program is the first object reported.
  *static_cast<const ElfW(Phdr)**>(data) = info->dlpi_phdr;
  return 1;
}

TEST(AuxvTest, PhdrMatchesDynamicLinkerView) {
  const ElfW(Phdr)* phdr = nullptr;
  dl_iterate_phdr(FindMainObject, &phdr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(phdr), getauxval(AT_PHDR));
}

TEST(AuxvTest, EntryIsStart) {
  EXPECT_EQ(getauxval(AT_ENTRY), reinterpret_cast<uintptr_t>(&_start));
  // For this PIE the load bias is the address of the ELF header.
  if (__ehdr_start.e_type == ET_DYN) {
    EXPECT_EQ(getauxval(AT_ENTRY), reinterpret_cast<uintptr_t>(&__ehdr_start) + __ehdr_start.e_entry);
  } else {
    EXPECT_EQ(getauxval(AT_ENTRY), __ehdr_start.e_entry);
  }
}

int CollectBases(struct dl_phdr_info* info, size_t, void* data) {
  static_cast<std::set<uintptr_t>*>(data)->insert(info->dlpi_addr);
  return 0;
}

TEST(AuxvTest, BaseIsTheDynamicLinker) {
  // This binary is dynamically linked, so it has an interpreter (PT_INTERP)
  // and AT_BASE is where that interpreter was loaded.
  const uintptr_t at_base = getauxval(AT_BASE);
  ASSERT_NE(at_base, 0u);
  EXPECT_EQ(at_base % 4096, 0u);
  const ElfW(Ehdr)* interp = reinterpret_cast<const ElfW(Ehdr)*>(at_base);
  EXPECT_EQ(memcmp(interp->e_ident, ELFMAG, SELFMAG), 0);
  EXPECT_EQ(interp->e_type, ET_DYN);
  std::set<uintptr_t> bases;
  dl_iterate_phdr(CollectBases, &bases);
  EXPECT_EQ(bases.count(at_base), 1u) << "no loaded object at AT_BASE";
}

// glibc on x86-64 replaces getauxval(AT_HWCAP/AT_HWCAP2) with its own
// feature bits, so the kernel's values are read from the raw vector.
const ElfW(auxv_t)* RawAuxv() {
  char** envp = conformance::OriginalEnvp();
  while (*envp != nullptr) ++envp;
  return reinterpret_cast<const ElfW(auxv_t)*>(envp + 1);
}

bool IsGlibcOverridden(uint64_t type) { return type == AT_HWCAP || type == AT_HWCAP2; }

TEST(AuxvTest, Hwcap) {
  EXPECT_NE(getauxval(AT_HWCAP), 0u);
  bool found = false;
  for (const ElfW(auxv_t)* av = RawAuxv(); av->a_type != AT_NULL; ++av) {
    if (av->a_type == AT_HWCAP) {
      found = true;
      // CPUID.1:EDX; every x86-64 CPU has FPU (bit 0) and SSE2 (bit 26).
      EXPECT_NE(av->a_un.a_val & 1, 0u) << std::hex << av->a_un.a_val;
      EXPECT_NE(av->a_un.a_val & (1u << 26), 0u) << std::hex << av->a_un.a_val;
    }
  }
  EXPECT_TRUE(found) << "no AT_HWCAP in the auxiliary vector";
}

TEST(AuxvTest, Credentials) {
  EXPECT_EQ(getauxval(AT_UID), getuid());
  EXPECT_EQ(getauxval(AT_EUID), geteuid());
  EXPECT_EQ(getauxval(AT_GID), getgid());
  EXPECT_EQ(getauxval(AT_EGID), getegid());
}

TEST(AuxvTest, NotSecure) { EXPECT_EQ(getauxval(AT_SECURE), 0u); }

TEST(AuxvTest, MissingEntryReportsENOENT) {
  errno = 0;
  EXPECT_EQ(getauxval(0x7fff), 0u);
  EXPECT_EQ(errno, ENOENT);
}

// The raw vector sits right after envp's terminating NULL, is made of
// (type, value) pairs and ends with AT_NULL.
TEST(AuxvTest, RawVectorFollowsEnvp) {
  ASSERT_NE(conformance::OriginalEnvp(), nullptr);
  const ElfW(auxv_t)* av = RawAuxv();
  std::set<uint64_t> seen;
  int n = 0;
  for (; av->a_type != AT_NULL; ++av, ++n) {
    ASSERT_LT(n, 256) << "no AT_NULL terminator";
    EXPECT_TRUE(seen.insert(av->a_type).second) << "duplicate entry type " << av->a_type;
    if (!IsGlibcOverridden(av->a_type)) {
      EXPECT_EQ(av->a_un.a_val, getauxval(av->a_type)) << "type " << av->a_type;
    }
  }
  for (uint64_t required : {AT_HWCAP, AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_BASE, AT_ENTRY, AT_UID,
                            AT_EUID, AT_GID, AT_EGID, AT_SECURE, AT_RANDOM, AT_EXECFN}) {
    EXPECT_EQ(seen.count(required), 1u) << "missing type " << required;
  }
}

}  // namespace
