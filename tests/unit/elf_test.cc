// Unit tests for sentry/loader/elf.h: ELF validation and `#!` parsing.
#include "sentry/loader/elf.h"

#include <dirent.h>
#include <sys/auxv.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "abi/linux/auxv.h"
#include "abi/linux/elf.h"
#include "gtest/gtest.h"
#include "sentry/loader/stack.h"

namespace sentry::loader {
namespace {

constexpr uint16_t kEmArm = 40;  // EM_ARM, not in abi/linux/elf.h

// Builds an ELF file image in memory: header, program headers right after
// it, and `size` bytes in total (zero-filled).
struct ElfBuilder {
  uapi::Elf64Ehdr eh{};
  std::vector<uapi::Elf64Phdr> phdrs;
  uint64_t size = 0x3000;
  std::string interp_text;  // written at kInterpOff if non-empty
  static constexpr uint64_t kInterpOff = 0x200;

  ElfBuilder() {
    memcpy(eh.e_ident, "\x7f" "ELF", 4);
    eh.e_ident[uapi::kEiClass] = uapi::kElfClass64;
    eh.e_ident[uapi::kEiData] = uapi::kElfData2Lsb;
    eh.e_ident[uapi::kEiVersion] = uapi::kEvCurrent;
    eh.e_type = uapi::kEtExec;
    eh.e_machine = uapi::kEmX86_64;
    eh.e_version = uapi::kEvCurrent;
    eh.e_entry = 0x401000;
    eh.e_phoff = sizeof(uapi::Elf64Ehdr);
    eh.e_ehsize = sizeof(uapi::Elf64Ehdr);
    eh.e_phentsize = sizeof(uapi::Elf64Phdr);
  }

  uapi::Elf64Phdr& Add(uint32_t type, uint32_t flags, uint64_t off,
                      uint64_t vaddr, uint64_t filesz, uint64_t memsz,
                      uint64_t align = 0x1000) {
    uapi::Elf64Phdr ph{};
    ph.p_type = type;
    ph.p_flags = flags;
    ph.p_offset = off;
    ph.p_vaddr = vaddr;
    ph.p_paddr = vaddr;
    ph.p_filesz = filesz;
    ph.p_memsz = memsz;
    ph.p_align = align;
    phdrs.push_back(ph);
    return phdrs.back();
  }

  // A typical static non-PIE layout: headers+text, then data+bss.
  static ElfBuilder Static() {
    ElfBuilder b;
    b.Add(uapi::kPtLoad, uapi::kPfR | uapi::kPfX, 0, 0x400000, 0x1800, 0x1800);
    b.Add(uapi::kPtLoad, uapi::kPfR | uapi::kPfW, 0x1800, 0x402800, 0x400,
          0x2000);
    b.Add(uapi::kPtGnuStack, uapi::kPfR | uapi::kPfW, 0, 0, 0, 0, 16);
    return b;
  }

  std::string Build() {
    eh.e_phnum = static_cast<uint16_t>(phdrs.size());
    std::string out(size, '\0');
    memcpy(out.data(), &eh, std::min<size_t>(sizeof(eh), out.size()));
    uint64_t table = phdrs.size() * sizeof(uapi::Elf64Phdr);
    if (eh.e_phoff < out.size()) {
      memcpy(out.data() + eh.e_phoff, phdrs.data(),
             std::min<uint64_t>(table, out.size() - eh.e_phoff));
    }
    if (!interp_text.empty()) {
      memcpy(out.data() + kInterpOff, interp_text.data(), interp_text.size());
    }
    return out;
  }
};

struct Parsed {
  int64_t ret;
  ElfInfo info;
  std::string why;
};

Parsed Parse(const std::string& image) {
  Parsed p;
  BufferSource src(image);
  p.ret = ParseElf(src, &p.info, &p.why);
  return p;
}

// Expects -ENOEXEC with a cause mentioning `needle`.
void ExpectNoExec(const std::string& image, const std::string& needle) {
  Parsed p = Parse(image);
  EXPECT_EQ(p.ret, -ENOEXEC);
  EXPECT_NE(p.why.find(needle), std::string::npos)
      << "cause was: \"" << p.why << "\"";
}

TEST(ElfTest, ValidStaticExecutable) {
  ElfBuilder b = ElfBuilder::Static();
  Parsed p = Parse(b.Build());
  ASSERT_EQ(p.ret, 0) << p.why;
  EXPECT_EQ(p.info.type, uapi::kEtExec);
  EXPECT_EQ(p.info.entry, 0x401000u);
  EXPECT_EQ(p.info.phnum, 3);
  ASSERT_EQ(p.info.loads.size(), 2u);
  EXPECT_EQ(p.info.loads[0].prot, PROT_READ | PROT_EXEC);
  EXPECT_EQ(p.info.loads[1].prot, PROT_READ | PROT_WRITE);
  EXPECT_EQ(p.info.loads[1].filesz, 0x400u);
  EXPECT_EQ(p.info.loads[1].memsz, 0x2000u);
  EXPECT_FALSE(p.info.interp.has_value());
  EXPECT_FALSE(p.info.exec_stack);
  // No PT_PHDR: the first PT_LOAD maps the table at file offset 64.
  EXPECT_EQ(p.info.phdr_vaddr, 0x400040u);
  EXPECT_EQ(p.info.span_start, 0x400000u);
  EXPECT_EQ(p.info.span_end, 0x405000u);
  EXPECT_EQ(p.info.max_align, 0x1000u);
}

TEST(ElfTest, ValidPieWithInterpreter) {
  ElfBuilder b;
  b.eh.e_type = uapi::kEtDyn;
  b.eh.e_entry = 0x1040;
  b.interp_text = std::string("/lib64/ld-linux-x86-64.so.2") + '\0';
  b.Add(uapi::kPtPhdr, uapi::kPfR, 64, 64, 5 * 56, 5 * 56, 8);
  b.Add(uapi::kPtInterp, uapi::kPfR, ElfBuilder::kInterpOff,
        ElfBuilder::kInterpOff, b.interp_text.size(), b.interp_text.size(),
        1);
  b.Add(uapi::kPtLoad, uapi::kPfR, 0, 0, 0x1000, 0x1000, 0x200000);
  b.Add(uapi::kPtLoad, uapi::kPfR | uapi::kPfX, 0x1000, 0x1000, 0x800, 0x800);
  b.Add(uapi::kPtGnuStack, uapi::kPfR | uapi::kPfW | uapi::kPfX, 0, 0, 0, 0);
  Parsed p = Parse(b.Build());
  ASSERT_EQ(p.ret, 0) << p.why;
  EXPECT_EQ(p.info.type, uapi::kEtDyn);
  ASSERT_TRUE(p.info.interp.has_value());
  EXPECT_EQ(*p.info.interp, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(p.info.phdr_vaddr, 64u);
  EXPECT_TRUE(p.info.exec_stack);
  EXPECT_EQ(p.info.span_start, 0u);
  EXPECT_EQ(p.info.span_end, 0x2000u);
  EXPECT_EQ(p.info.max_align, 0x200000u);
}

TEST(ElfTest, PtPhdrWinsOverCoveringLoad) {
  ElfBuilder b = ElfBuilder::Static();
  b.Add(uapi::kPtPhdr, uapi::kPfR, 64, 0x400123, 0, 0, 8);
  Parsed p = Parse(b.Build());
  ASSERT_EQ(p.ret, 0) << p.why;
  EXPECT_EQ(p.info.phdr_vaddr, 0x400123u);
}

TEST(ElfTest, ZeroSizedLoadIsIgnored) {
  ElfBuilder b = ElfBuilder::Static();
  b.Add(uapi::kPtLoad, uapi::kPfR, 0, 0x100000, 0, 0);
  Parsed p = Parse(b.Build());
  ASSERT_EQ(p.ret, 0) << p.why;
  EXPECT_EQ(p.info.loads.size(), 2u);
}

TEST(ElfTest, NotElf) {
  ExpectNoExec("hello world, this is not an executable at all...........",
               "not an ELF file");
  ExpectNoExec("", "not an ELF file");
}

TEST(ElfTest, TruncatedHeader) {
  std::string image = ElfBuilder::Static().Build().substr(0, 40);
  ExpectNoExec(image, "too short");
}

TEST(ElfTest, TruncatedProgramHeaders) {
  std::string image = ElfBuilder::Static().Build().substr(0, 64 + 56 + 10);
  ExpectNoExec(image, "program header table extends past end of file");
}

TEST(ElfTest, ProgramHeaderOffsetOverflows) {
  ElfBuilder b = ElfBuilder::Static();
  b.eh.e_phoff = ~uint64_t{0} - 8;
  ExpectNoExec(b.Build(), "program header table extends past end of file");
}

TEST(ElfTest, WrongMachine) {
  ElfBuilder b = ElfBuilder::Static();
  b.eh.e_machine = kEmArm;
  ExpectNoExec(b.Build(), "ARM");
  b.eh.e_machine = uapi::kEm386;
  ExpectNoExec(b.Build(), "wrong architecture");
}

TEST(ElfTest, WrongClass) {
  ElfBuilder b = ElfBuilder::Static();
  b.eh.e_ident[uapi::kEiClass] = uapi::kElfClass32;
  ExpectNoExec(b.Build(), "32-bit");
  b.eh.e_ident[uapi::kEiClass] = 7;
  ExpectNoExec(b.Build(), "invalid ELF class");
}

TEST(ElfTest, BigEndian) {
  ElfBuilder b = ElfBuilder::Static();
  b.eh.e_ident[uapi::kEiData] = 2;
  ExpectNoExec(b.Build(), "little-endian");
}

TEST(ElfTest, BadVersion) {
  ElfBuilder b = ElfBuilder::Static();
  b.eh.e_version = 0;
  ExpectNoExec(b.Build(), "version");
  b = ElfBuilder::Static();
  b.eh.e_ident[uapi::kEiVersion] = 2;
  ExpectNoExec(b.Build(), "version");
}

TEST(ElfTest, WrongType) {
  ElfBuilder b = ElfBuilder::Static();
  b.eh.e_type = uapi::kEtRel;
  ExpectNoExec(b.Build(), "ET_REL");
  b.eh.e_type = uapi::kEtCore;
  ExpectNoExec(b.Build(), "ET_CORE");
}

TEST(ElfTest, PhnumZero) {
  ElfBuilder b;
  ExpectNoExec(b.Build(), "e_phnum=0");
}

TEST(ElfTest, BadPhentsize) {
  ElfBuilder b = ElfBuilder::Static();
  b.eh.e_phentsize = 32;
  ExpectNoExec(b.Build(), "e_phentsize");
}

TEST(ElfTest, TooManyProgramHeaders) {
  ElfBuilder b;
  b.size = 0x200000;
  for (int i = 0; i < 1200; ++i) {
    b.Add(uapi::kPtNote, uapi::kPfR, 0, 0, 0, 0);
  }
  ExpectNoExec(b.Build(), "too large");
}

TEST(ElfTest, NoLoadableSegments) {
  ElfBuilder b;
  b.Add(uapi::kPtGnuStack, uapi::kPfR | uapi::kPfW, 0, 0, 0, 0);
  ExpectNoExec(b.Build(), "no loadable segments");
}

TEST(ElfTest, SegmentOffsetPastEof) {
  ElfBuilder b = ElfBuilder::Static();
  b.phdrs[1].p_offset = 0x2800;
  b.phdrs[1].p_vaddr = 0x402800;
  b.phdrs[1].p_filesz = 0x1000;  // ends at 0x3800 > 0x3000
  ExpectNoExec(b.Build(), "past end of file");
}

TEST(ElfTest, SegmentOffsetOverflows) {
  ElfBuilder b = ElfBuilder::Static();
  b.phdrs[1].p_offset = ~uint64_t{0} - 0xfff;  // page-congruent with vaddr
  b.phdrs[1].p_vaddr = 0x403000;
  ExpectNoExec(b.Build(), "past end of file");
}

TEST(ElfTest, FileszGreaterThanMemsz) {
  ElfBuilder b = ElfBuilder::Static();
  b.phdrs[1].p_memsz = 0x100;
  ExpectNoExec(b.Build(), "p_filesz exceeds p_memsz");
}

TEST(ElfTest, OverlappingLoads) {
  ElfBuilder b = ElfBuilder::Static();
  b.phdrs[1].p_vaddr = 0x400800;  // inside the first segment's bytes
  ExpectNoExec(b.Build(), "overlaps");
}

TEST(ElfTest, SharedPageIsNotOverlap) {
  // Two segments in the same page but disjoint bytes are fine (as ld -N).
  ElfBuilder b;
  b.Add(uapi::kPtLoad, uapi::kPfR | uapi::kPfX, 0, 0x400000, 0x100, 0x100);
  b.Add(uapi::kPtLoad, uapi::kPfR | uapi::kPfW, 0x100, 0x400100, 0x10, 0x20);
  Parsed p = Parse(b.Build());
  ASSERT_EQ(p.ret, 0) << p.why;
  EXPECT_EQ(p.info.span_end, 0x401000u);
}

TEST(ElfTest, UnsortedLoads) {
  ElfBuilder b;
  b.Add(uapi::kPtLoad, uapi::kPfR | uapi::kPfW, 0x1800, 0x402800, 0x400, 0x2000);
  b.Add(uapi::kPtLoad, uapi::kPfR | uapi::kPfX, 0, 0x400000, 0x1800, 0x1800);
  ExpectNoExec(b.Build(), "not sorted");
}

TEST(ElfTest, AlignNotPowerOfTwo) {
  ElfBuilder b = ElfBuilder::Static();
  b.phdrs[0].p_align = 0x3000;
  ExpectNoExec(b.Build(), "power of two");
}

TEST(ElfTest, OffsetAndAddressNotCongruent) {
  ElfBuilder b = ElfBuilder::Static();
  b.phdrs[1].p_vaddr = 0x402900;
  ExpectNoExec(b.Build(), "modulo the page size");
}

TEST(ElfTest, AddressOverflow) {
  ElfBuilder b = ElfBuilder::Static();
  b.phdrs[1].p_vaddr = ~uint64_t{0} - 0x17ff;  // congruent with 0x1800
  ExpectNoExec(b.Build(), "overflows");
}

TEST(ElfTest, BeyondUserAddressSpace) {
  ElfBuilder b = ElfBuilder::Static();
  b.phdrs[1].p_vaddr = 0x7ffffffff800;
  ExpectNoExec(b.Build(), "beyond the user address space");
  b = ElfBuilder::Static();
  b.eh.e_entry = 0xffffffff81000000;
  ExpectNoExec(b.Build(), "entry point");
}

TEST(ElfTest, InterpNotTerminated) {
  ElfBuilder b = ElfBuilder::Static();
  b.interp_text = "/lib/ld.so";
  b.Add(uapi::kPtInterp, uapi::kPfR, ElfBuilder::kInterpOff, 0,
        b.interp_text.size(), b.interp_text.size(), 1);
  ExpectNoExec(b.Build(), "not NUL-terminated");
}

TEST(ElfTest, InterpTooLong) {
  ElfBuilder b = ElfBuilder::Static();
  b.size = 0x3000;
  b.Add(uapi::kPtInterp, uapi::kPfR, ElfBuilder::kInterpOff, 0, 4097, 4097, 1);
  ExpectNoExec(b.Build(), "PATH_MAX");
}

TEST(ElfTest, InterpPastEof) {
  ElfBuilder b = ElfBuilder::Static();
  b.Add(uapi::kPtInterp, uapi::kPfR, 0x2ff0, 0, 0x20, 0x20, 1);
  ExpectNoExec(b.Build(), "PT_INTERP extends past end of file");
}

TEST(ElfTest, TwoInterps) {
  ElfBuilder b = ElfBuilder::Static();
  b.interp_text = std::string("/lib/ld.so") + '\0';
  for (int i = 0; i < 2; ++i) {
    b.Add(uapi::kPtInterp, uapi::kPfR, ElfBuilder::kInterpOff, 0,
          b.interp_text.size(), b.interp_text.size(), 1);
  }
  ExpectNoExec(b.Build(), "more than one PT_INTERP");
}

TEST(ElfTest, InterpStopsAtFirstNul) {
  ElfBuilder b = ElfBuilder::Static();
  b.interp_text = std::string("/lib/ld.so\0junk", 15) + '\0';
  b.Add(uapi::kPtInterp, uapi::kPfR, ElfBuilder::kInterpOff, 0,
        b.interp_text.size(), b.interp_text.size(), 1);
  Parsed p = Parse(b.Build());
  ASSERT_EQ(p.ret, 0) << p.why;
  EXPECT_EQ(*p.info.interp, "/lib/ld.so");
}

TEST(ElfTest, MagicHelpers) {
  EXPECT_TRUE(HasElfMagic(std::string("\x7f" "ELF\x02", 5)));
  EXPECT_FALSE(HasElfMagic("\x7f" "EL"));
  EXPECT_TRUE(HasShebang("#!/bin/sh"));
  EXPECT_FALSE(HasShebang("#"));
  EXPECT_FALSE(HasShebang("# !/bin/sh"));
}

// Reads a host file with pread(2).
class HostFileSource : public ByteSource {
 public:
  explicit HostFileSource(int fd) : fd_(fd) {
    struct stat st;
    size_ = fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }
  int64_t ReadAt(void* buf, uint64_t n, uint64_t off) override {
    ssize_t r = pread(fd_, buf, n, static_cast<off_t>(off));
    return r < 0 ? -errno : r;
  }
  uint64_t Size() const override { return size_; }

 private:
  int fd_;
  uint64_t size_;
};

// Every x86-64 ELF executable and library installed on the host is accepted:
// the checks are no stricter than real toolchains' output.
TEST(ElfTest, AcceptsHostBinaries) {
  int parsed = 0;
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu",
                          "/usr/libexec"}) {
    DIR* d = opendir(dir);
    if (d == nullptr) continue;
    while (dirent* e = readdir(d)) {
      std::string path = std::string(dir) + "/" + e->d_name;
      int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      if (fd < 0) continue;
      struct stat st;
      uint8_t ident[20] = {};
      bool candidate = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
                       pread(fd, ident, sizeof(ident), 0) == sizeof(ident) &&
                       HasElfMagic(std::string_view(
                           reinterpret_cast<char*>(ident), 4)) &&
                       ident[uapi::kEiClass] == uapi::kElfClass64 &&
                       ident[18] == uapi::kEmX86_64 && ident[16] >= 2 &&
                       ident[16] <= 3;
      if (candidate) {
        HostFileSource src(fd);
        ElfInfo info;
        std::string why;
        EXPECT_EQ(ParseElf(src, &info, &why), 0) << path << ": " << why;
        ++parsed;
      }
      close(fd);
    }
    closedir(d);
  }
  if (parsed == 0) GTEST_SKIP() << "no host ELF files found";
}

// ---- #! lines ----

struct Script {
  int64_t ret;
  ScriptLine line;
  std::string why;
};

Script ParseLine(std::string_view head) {
  Script s;
  s.ret = ParseShebang(head, &s.line, &s.why);
  return s;
}

TEST(ShebangTest, Simple) {
  Script s = ParseLine("#!/bin/sh\necho hi\n");
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "/bin/sh");
  EXPECT_FALSE(s.line.arg.has_value());
}

TEST(ShebangTest, OneArgumentKeepsInnerBlanks) {
  Script s = ParseLine("#! \t/usr/bin/env  python3 -u \t\nprint(1)\n");
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "/usr/bin/env");
  ASSERT_TRUE(s.line.arg.has_value());
  EXPECT_EQ(*s.line.arg, "python3 -u");
}

TEST(ShebangTest, TrailingBlanksOnly) {
  Script s = ParseLine("#!/bin/sh   \n");
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "/bin/sh");
  EXPECT_FALSE(s.line.arg.has_value());
}

TEST(ShebangTest, NoNewlineShortFile) {
  Script s = ParseLine("#!/bin/echo");
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "/bin/echo");
  EXPECT_FALSE(s.line.arg.has_value());
}

TEST(ShebangTest, CarriageReturnIsPartOfTheName) {
  Script s = ParseLine("#!/bin/sh\r\n");
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "/bin/sh\r");
}

TEST(ShebangTest, NulEndsTheLine) {
  Script s = ParseLine(std::string_view("#!/bin/sh\0 -x\n", 14));
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "/bin/sh");
  EXPECT_FALSE(s.line.arg.has_value());
}

TEST(ShebangTest, NoInterpreter) {
  for (const char* text : {"#!\n", "#!   \t \nfoo\n", "#!\t\n"}) {
    Script s = ParseLine(text);
    EXPECT_EQ(s.ret, -ENOEXEC) << text;
    EXPECT_NE(s.why.find("no interpreter"), std::string::npos) << s.why;
  }
}

TEST(ShebangTest, OnlyBlanksWithoutNewline) {
  std::string text = "#!" + std::string(300, ' ');
  Script s = ParseLine(text);
  EXPECT_EQ(s.ret, -ENOEXEC);
}

TEST(ShebangTest, BareHashBangGivesEmptyName) {
  // Linux then looks up "" (the cwd, a directory): EACCES from the loader.
  Script s = ParseLine("#!");
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "");
}

TEST(ShebangTest, LongLineArgumentIsTruncatedAt255) {
  // Measured on Linux 6.18: "#!/bin/echo " + 300 x's passes 243 x's.
  std::string text = "#!/bin/echo " + std::string(300, 'x') + "\nrest\n";
  Script s = ParseLine(text);
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "/bin/echo");
  ASSERT_TRUE(s.line.arg.has_value());
  EXPECT_EQ(*s.line.arg, std::string(243, 'x'));
}

TEST(ShebangTest, LongBlankRunAfterNameLeavesNoArgument) {
  std::string text = "#!/bin/echo " + std::string(300, ' ') + "x\n";
  Script s = ParseLine(text);
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, "/bin/echo");
  EXPECT_FALSE(s.line.arg.has_value());
}

TEST(ShebangTest, TruncatedInterpreterPathIsRefused) {
  std::string text = "#!/bin/" + std::string(300, 'e') + "\n";
  Script s = ParseLine(text);
  EXPECT_EQ(s.ret, -ENOEXEC);
  EXPECT_NE(s.why.find("too long"), std::string::npos) << s.why;
}

TEST(ShebangTest, PathEndingAtLastByteIsAccepted) {
  // 253 path bytes, then a blank in the buffer's final byte.
  std::string path = "/" + std::string(252, 'p');
  std::string text = "#!" + path + " " + std::string(100, 'a');
  ASSERT_EQ(text[255], ' ');
  Script s = ParseLine(text);
  ASSERT_EQ(s.ret, 0) << s.why;
  EXPECT_EQ(s.line.interp, path);
  EXPECT_FALSE(s.line.arg.has_value());
}

TEST(ShebangTest, NotAScript) {
  Script s = ParseLine("\x7f" "ELF");
  EXPECT_EQ(s.ret, -ENOEXEC);
}

// ---- Initial stack ----

class StackTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kTop = 0x7ffff0000000;

  uint64_t Word(const StackImage& img, uint64_t addr) {
    EXPECT_GE(addr, img.sp);
    EXPECT_LE(addr + 8, kTop);
    uint64_t v;
    memcpy(&v, img.block.data() + (addr - img.sp), 8);
    return v;
  }
  std::string Str(const StackImage& img, uint64_t addr) {
    EXPECT_GE(addr, img.sp);
    EXPECT_LT(addr, kTop);
    return std::string(
        reinterpret_cast<const char*>(img.block.data() + (addr - img.sp)));
  }
};

TEST_F(StackTest, LayoutMatchesLinux) {
  AuxValues aux;
  aux.phdr = 0x555555554040;
  aux.phnum = 13;
  aux.base = 0x7ffff7fc3000;
  aux.entry = 0x555555555040;
  aux.uid = 1000;
  aux.gid = 100;
  aux.hwcap = 0x178bfbff;
  aux.hwcap2 = 2;
  aux.minsigstksz = 3376;
  for (int i = 0; i < 16; ++i) aux.random[i] = static_cast<uint8_t>(i + 1);
  const std::vector<std::string> argv = {"prog", "-x"};
  const std::vector<std::string> envp = {"A=1"};
  StackImage img = BuildInitialStack(kTop, "/bin/prog", argv, envp, aux);

  // Strings: 8 zero bytes at the top, "/bin/prog", "A=1", "prog" "-x".
  const uint64_t execfn = kTop - 8 - 10;
  EXPECT_EQ(img.env_end, execfn);
  EXPECT_EQ(img.env_start, execfn - 4);
  EXPECT_EQ(img.arg_end, img.env_start);
  EXPECT_EQ(img.arg_start, img.env_start - 8);
  EXPECT_EQ(Word(img, kTop - 8), 0u);
  // platform at align16(arg_start) - 7, random 16 below, then 20 auxv pairs
  // and 6 words of argc/argv/envp, rounded down to 16.
  const uint64_t platform = (img.arg_start & ~uint64_t{15}) - 7;
  const uint64_t random = platform - 16;
  EXPECT_EQ(img.sp, (random - 40 * 8 - 6 * 8) & ~uint64_t{15});
  EXPECT_EQ(img.sp % 16, 0u);
  ASSERT_EQ(img.block.size(), kTop - img.sp);

  EXPECT_EQ(Word(img, img.sp), 2u);
  EXPECT_EQ(Str(img, Word(img, img.sp + 8)), "prog");
  EXPECT_EQ(Word(img, img.sp + 8), img.arg_start);
  EXPECT_EQ(Str(img, Word(img, img.sp + 16)), "-x");
  EXPECT_EQ(Word(img, img.sp + 24), 0u);
  EXPECT_EQ(Str(img, Word(img, img.sp + 32)), "A=1");
  EXPECT_EQ(Word(img, img.sp + 40), 0u);

  // The auxv on the stack equals the saved copy, in the kernel's order.
  const uint64_t auxv_addr = img.sp + 48;
  ASSERT_EQ(img.auxv.size(), 40u);
  std::vector<uint64_t> types;
  std::map<uint64_t, uint64_t> vals;
  for (size_t i = 0; i < img.auxv.size(); i += 2) {
    EXPECT_EQ(Word(img, auxv_addr + i * 8), img.auxv[i]);
    EXPECT_EQ(Word(img, auxv_addr + i * 8 + 8), img.auxv[i + 1]);
    types.push_back(img.auxv[i]);
    vals[img.auxv[i]] = img.auxv[i + 1];
  }
  const std::vector<uint64_t> want_types = {
      uapi::kAtMinsigstksz, uapi::kAtHwcap,  uapi::kAtPagesz,
      uapi::kAtClktck,      uapi::kAtPhdr,   uapi::kAtPhent,
      uapi::kAtPhnum,       uapi::kAtBase,   uapi::kAtFlags,
      uapi::kAtEntry,       uapi::kAtUid,    uapi::kAtEuid,
      uapi::kAtGid,         uapi::kAtEgid,   uapi::kAtSecure,
      uapi::kAtRandom,      uapi::kAtHwcap2, uapi::kAtExecfn,
      uapi::kAtPlatform,    uapi::kAtNull};
  EXPECT_EQ(types, want_types);
  EXPECT_EQ(vals[uapi::kAtMinsigstksz], 3376u);
  EXPECT_EQ(vals[uapi::kAtPagesz], 4096u);
  EXPECT_EQ(vals[uapi::kAtClktck], 100u);
  EXPECT_EQ(vals[uapi::kAtPhdr], 0x555555554040u);
  EXPECT_EQ(vals[uapi::kAtPhent], 56u);
  EXPECT_EQ(vals[uapi::kAtPhnum], 13u);
  EXPECT_EQ(vals[uapi::kAtBase], 0x7ffff7fc3000u);
  EXPECT_EQ(vals[uapi::kAtEntry], 0x555555555040u);
  EXPECT_EQ(vals[uapi::kAtUid], 1000u);
  EXPECT_EQ(vals[uapi::kAtEuid], 1000u);
  EXPECT_EQ(vals[uapi::kAtGid], 100u);
  EXPECT_EQ(vals[uapi::kAtEgid], 100u);
  EXPECT_EQ(vals[uapi::kAtSecure], 0u);
  EXPECT_EQ(vals[uapi::kAtHwcap], 0x178bfbffu);
  EXPECT_EQ(vals[uapi::kAtHwcap2], 2u);
  EXPECT_EQ(vals[uapi::kAtExecfn], execfn);
  EXPECT_EQ(Str(img, execfn), "/bin/prog");
  EXPECT_EQ(vals[uapi::kAtPlatform], platform);
  EXPECT_EQ(Str(img, platform), "x86_64");
  EXPECT_EQ(vals[uapi::kAtRandom], random);
  EXPECT_EQ(memcmp(img.block.data() + (random - img.sp), aux.random, 16), 0);
  // The auxv ends below the random bytes.
  EXPECT_LE(auxv_addr + img.auxv.size() * 8, random);
}

TEST_F(StackTest, NoMinsigstkszEntryWhenUnknown) {
  AuxValues aux;
  StackImage img = BuildInitialStack(kTop, "x", {"x"}, {}, aux);
  ASSERT_FALSE(img.auxv.empty());
  EXPECT_EQ(img.auxv[0], uapi::kAtHwcap);
  EXPECT_EQ(img.auxv[img.auxv.size() - 2], uapi::kAtNull);
  EXPECT_EQ(img.sp % 16, 0u);
  EXPECT_EQ(Word(img, img.sp), 1u);
  EXPECT_EQ(Word(img, img.sp + 16), 0u);  // argv terminator
  EXPECT_EQ(Word(img, img.sp + 24), 0u);  // empty envp
}

// Our auxv carries the host kernel's entries in the host kernel's order,
// minus the ones left out on purpose (vDSO, rseq, execfd).
TEST_F(StackTest, AuxvOrderMatchesHostKernel) {
  std::ifstream f("/proc/self/auxv", std::ios::binary);
  if (!f) GTEST_SKIP() << "no /proc/self/auxv";
  std::vector<uint64_t> host;
  uint64_t pair[2];
  while (f.read(reinterpret_cast<char*>(pair), sizeof(pair))) {
    if (pair[0] == uapi::kAtSysinfoEhdr || pair[0] == uapi::kAtRseqFeatureSize ||
        pair[0] == uapi::kAtRseqAlign || pair[0] == uapi::kAtExecfd) {
      continue;
    }
    host.push_back(pair[0]);
    if (pair[0] == uapi::kAtNull) break;
  }
  AuxValues aux;
  aux.minsigstksz = getauxval(uapi::kAtMinsigstksz);
  StackImage img = BuildInitialStack(kTop, "x", {"x"}, {}, aux);
  std::vector<uint64_t> ours;
  for (size_t i = 0; i < img.auxv.size(); i += 2) ours.push_back(img.auxv[i]);
  EXPECT_EQ(ours, host);
}

TEST(ArgsFitTest, Limits) {
  EXPECT_TRUE(ArgsFit("/bin/x", {"x"}, {"A=1"}));
  // One string of MAX_ARG_STRLEN bytes with its NUL is fine, one more not.
  EXPECT_TRUE(ArgsFit("/bin/x", {std::string(kMaxArgStrLen - 1, 'a')}, {}));
  EXPECT_FALSE(ArgsFit("/bin/x", {std::string(kMaxArgStrLen, 'a')}, {}));
  // 16 strings of 128 KiB exceed the 2 MiB budget.
  std::vector<std::string> many(16, std::string(kMaxArgStrLen - 1, 'b'));
  EXPECT_FALSE(ArgsFit("/bin/x", {"x"}, many));
  // So do 300000 empty strings (their pointers alone are 2.4 MB).
  EXPECT_FALSE(ArgsFit("/bin/x", std::vector<std::string>(300000), {}));
}

}  // namespace
}  // namespace sentry::loader
