// File system calls through the i386 gate (`int $0x80` from 64-bit code),
// where structures and argument splits differ from x86-64: mkdir/rmdir,
// open/write/_llseek/ftruncate64, statfs/statfs64/fstatfs64, pipe2 + poll,
// utimensat (time32), fcntl64 F_SETLK64/F_GETLK64, getdents64. Memory
// arguments live below 4 GiB (mmap MAP_32BIT).
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "syscall_matchers.h"
#include "temp_dir.h"

namespace {

// i386 numbers (arch/x86/entry/syscalls/syscall_32.tbl).
constexpr long kOpen = 5;
constexpr long kClose = 6;
constexpr long kWrite = 4;
constexpr long kMkdir = 39;
constexpr long kRmdir = 40;
constexpr long kLlseek = 140;
constexpr long kStatfs = 99;
constexpr long kFtruncate64 = 194;
constexpr long kStat64 = 195;
constexpr long kFcntl64 = 221;
constexpr long kGetdents64 = 220;
constexpr long kStatfs64 = 268;
constexpr long kFstatfs64 = 269;
constexpr long kUtimensat = 320;
constexpr long kPipe2 = 331;
constexpr long kPoll = 168;

int32_t Int80(long nr, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0,
              long a5 = 0) {
  long ret;
  asm volatile("int $0x80"
               : "=a"(ret)
               : "a"(nr), "b"(a1), "c"(a2), "d"(a3), "S"(a4), "D"(a5)
               : "memory", "cc", "r8", "r9", "r10", "r11");
  return static_cast<int32_t>(ret);
}

class FsI386Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    void* p = mmap(nullptr, 65536, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    low_ = static_cast<char*>(p);
  }
  void TearDown() override { munmap(low_, 65536); }
  // Copies a string below 4 GiB and returns its address.
  long Str(const std::string& s, size_t slot) {
    char* at = low_ + 32768 + slot * 1024;
    memcpy(at, s.c_str(), s.size() + 1);
    return reinterpret_cast<long>(at);
  }
  long Buf(size_t off = 0) { return reinterpret_cast<long>(low_ + off); }

  conformance::TempDir dir_;
  char* low_ = nullptr;
};

TEST_F(FsI386Test, MkdirOpenWriteSeekTruncate) {
  EXPECT_EQ(Int80(kMkdir, Str(dir_.Join("d"), 0), 0755), 0);
  EXPECT_EQ(Int80(kMkdir, Str(dir_.Join("d"), 0), 0755), -EEXIST);
  int fd = Int80(kOpen, Str(dir_.Join("d/f"), 1), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  memcpy(low_, "0123456789", 10);
  EXPECT_EQ(Int80(kWrite, fd, Buf(), 10), 10);
  // _llseek(fd, high, low, loff_t* result, whence).
  int64_t* result = reinterpret_cast<int64_t*>(low_ + 64);
  EXPECT_EQ(Int80(kLlseek, fd, 0, 4, Buf(64), SEEK_SET), 0);
  EXPECT_EQ(*result, 4);
  // ftruncate64(fd, low, high).
  EXPECT_EQ(Int80(kFtruncate64, fd, 6, 0), 0);
  struct stat st;
  ASSERT_EQ(fstat(fd, &st), 0);
  EXPECT_EQ(st.st_size, 6);
  // stat64: st_size is at offset 44 in struct stat64.
  ASSERT_EQ(Int80(kStat64, Str(dir_.Join("d/f"), 2), Buf(128)), 0);
  int64_t size;
  memcpy(&size, low_ + 128 + 44, 8);
  EXPECT_EQ(size, 6);
  EXPECT_EQ(Int80(kClose, fd), 0);
  EXPECT_EQ(Int80(kRmdir, Str(dir_.Join("d"), 0)), -ENOTEMPTY);
  ASSERT_EQ(unlink(dir_.Join("d/f").c_str()), 0);
  EXPECT_EQ(Int80(kRmdir, Str(dir_.Join("d"), 0)), 0);
}

TEST_F(FsI386Test, Statfs) {
  // statfs64 wants sizeof(struct statfs64) == 84.
  EXPECT_EQ(Int80(kStatfs64, Str("/dev/shm", 0), 84, Buf()), 0);
  uint32_t type;
  memcpy(&type, low_, 4);
  EXPECT_EQ(type, 0x01021994u);
  EXPECT_EQ(Int80(kStatfs64, Str("/dev/shm", 0), 88, Buf()), -EINVAL);
  int fd = open("/dev/shm", O_RDONLY);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(Int80(kFstatfs64, fd, 84, Buf()), 0);
  close(fd);
  EXPECT_EQ(Int80(kStatfs, Str("/proc", 0), Buf()), 0);
  memcpy(&type, low_, 4);
  EXPECT_EQ(type, 0x9fa0u);
}

TEST_F(FsI386Test, PipeAndPoll) {
  ASSERT_EQ(Int80(kPipe2, Buf(), O_CLOEXEC), 0);
  int fds[2];
  memcpy(fds, low_, sizeof(fds));
  EXPECT_EQ(write(fds[1], "x", 1), 1);
  struct pollfd p = {fds[0], POLLIN, 0};
  memcpy(low_ + 64, &p, sizeof(p));
  EXPECT_EQ(Int80(kPoll, Buf(64), 1, 0), 1);
  memcpy(&p, low_ + 64, sizeof(p));
  EXPECT_EQ(p.revents, POLLIN);
  close(fds[0]);
  close(fds[1]);
}

TEST_F(FsI386Test, UtimensatTime32AndLocks) {
  std::string f = dir_.Join("f");
  ASSERT_TRUE(conformance::WriteFile(f, "x"));
  int32_t ts[4] = {1000, 5, 2000, 7};  // two struct old_timespec32
  memcpy(low_, ts, sizeof(ts));
  EXPECT_EQ(Int80(kUtimensat, AT_FDCWD, Str(f, 0), Buf(), 0), 0);
  struct stat st;
  ASSERT_EQ(stat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_atim.tv_sec, 1000);
  EXPECT_EQ(st.st_mtim.tv_nsec, 7);
  // fcntl64 F_SETLK64/F_GETLK64 with the packed struct flock64 (24 bytes).
  int a = open(f.c_str(), O_RDWR), b = open(f.c_str(), O_RDWR);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  char* fl = low_ + 256;
  auto set = [&](int16_t type, int64_t start, int64_t len, int32_t pid) {
    memset(fl, 0, 24);
    memcpy(fl, &type, 2);
    memcpy(fl + 4, &start, 8);
    memcpy(fl + 12, &len, 8);
    memcpy(fl + 20, &pid, 4);
  };
  set(F_WRLCK, 0, 10, 0);
  EXPECT_EQ(Int80(kFcntl64, a, F_OFD_SETLK, Buf(256)), 0);
  set(F_WRLCK, 5, 1, 0);
  EXPECT_EQ(Int80(kFcntl64, b, F_OFD_GETLK, Buf(256)), 0);
  int16_t type;
  int64_t len;
  memcpy(&type, fl, 2);
  memcpy(&len, fl + 12, 8);
  EXPECT_EQ(type, F_WRLCK);
  EXPECT_EQ(len, 10);
  close(a);
  close(b);
}

TEST_F(FsI386Test, Getdents64) {
  ASSERT_TRUE(conformance::WriteFile(dir_.Join("only"), ""));
  int fd = open(dir_.path().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  int n = Int80(kGetdents64, fd, Buf(), 4096);
  ASSERT_GT(n, 0);
  std::string names;
  for (int off = 0; off < n;) {
    uint16_t reclen;
    memcpy(&reclen, low_ + off + 16, 2);
    names += std::string(low_ + off + 19) + " ";
    off += reclen;
  }
  EXPECT_NE(names.find("only "), std::string::npos);
  EXPECT_NE(names.find(". "), std::string::npos);
  close(fd);
}

}  // namespace
