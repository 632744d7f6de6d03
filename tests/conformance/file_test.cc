// File system calls on read-only host files: open(2), read(2), pread(2),
// lseek(2), fstat(2), newfstatat, statx(2), access(2), readlink(2),
// getcwd(2), chdir(2), getdents64(2), and their error cases.
//
// Nothing here writes: the sandbox's root is read-only (EROFS) while a native
// root run may write, so write access is not part of the shared truth.
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "syscall_matchers.h"

namespace {

constexpr char kFile[] = "/etc/passwd";

// Closes the descriptor at the end of the scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string ReadAll(int fd) {
  std::string out;
  char buf[1024];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) break;
    out.append(buf, n);
  }
  return out;
}

bool IsSymlink(const char* path) {
  struct stat st;
  return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

// ---------------------------------------------------------------- open/read

TEST(OpenTest, ReadWholeFile) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  const std::string data = ReadAll(fd.get());
  EXPECT_FALSE(data.empty());
  EXPECT_EQ(data.rfind("root:", 0), 0u) << "passwd should start with the root entry";
  struct stat st;
  ASSERT_THAT(fstat(fd.get(), &st), SyscallSucceeds());
  EXPECT_EQ(static_cast<off_t>(data.size()), st.st_size);
  char c;
  EXPECT_THAT(read(fd.get(), &c, 1), SyscallSucceedsWithValue(0)) << "at EOF";
}

TEST(OpenTest, ReuseOfClosedDescriptor) {
  const int a = open(kFile, O_RDONLY);
  ASSERT_THAT(a, SyscallSucceeds());
  ASSERT_THAT(close(a), SyscallSucceeds());
  const int b = open(kFile, O_RDONLY);
  EXPECT_EQ(b, a) << "open returns the lowest free descriptor";
  close(b);
}

TEST(OpenTest, Missing) {
  EXPECT_THAT(open("/nonexistent-conformance-file", O_RDONLY), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(open("/etc/nonexistent-dir/x", O_RDONLY), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(open("", O_RDONLY), SyscallFailsWithErrno(ENOENT));
}

TEST(OpenTest, FileAsDirectoryComponent) {
  EXPECT_THAT(open("/etc/passwd/x", O_RDONLY), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(open("/etc/passwd/", O_RDONLY), SyscallFailsWithErrno(ENOTDIR));
}

TEST(OpenTest, DirectoryFlagOnFile) {
  EXPECT_THAT(open(kFile, O_RDONLY | O_DIRECTORY), SyscallFailsWithErrno(ENOTDIR));
}

TEST(OpenTest, DirectoryForWritingIsEISDIR) {
  EXPECT_THAT(open("/", O_WRONLY), SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(open("/etc", O_RDWR), SyscallFailsWithErrno(EISDIR));
}

TEST(OpenTest, DirectoryForReading) {
  Fd fd(open("/etc", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  char c;
  EXPECT_THAT(read(fd.get(), &c, 1), SyscallFailsWithErrno(EISDIR));
  EXPECT_THAT(pread(fd.get(), &c, 1, 0), SyscallFailsWithErrno(EISDIR));
}

TEST(OpenTest, ExclusiveCreateOfExistingFileIsEEXIST) {
  // EEXIST is decided before any write access is needed, also on a
  // read-only file system.
  EXPECT_THAT(open(kFile, O_WRONLY | O_CREAT | O_EXCL, 0644), SyscallFailsWithErrno(EEXIST));
}

TEST(OpenTest, NoFollowOnSymlinkIsELOOP) {
  if (!IsSymlink("/bin")) GTEST_SKIP() << "/bin is not a symlink on this system";
  EXPECT_THAT(open("/bin", O_RDONLY | O_NOFOLLOW), SyscallFailsWithErrno(ELOOP));
  // Only the last component is concerned: /bin/true walks through the link.
  Fd fd(open("/bin/true", O_RDONLY | O_NOFOLLOW));
  EXPECT_THAT(fd.get(), SyscallSucceeds());
}

TEST(OpenTest, FollowsSymlinks) {
  if (!IsSymlink("/bin")) GTEST_SKIP() << "/bin is not a symlink on this system";
  Fd fd(open("/bin", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  struct stat a, b;
  ASSERT_THAT(fstat(fd.get(), &a), SyscallSucceeds());
  ASSERT_THAT(stat("/usr/bin", &b), SyscallSucceeds());
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_dev, b.st_dev);
}

TEST(OpenTest, NameTooLong) {
  const std::string long_component = "/" + std::string(NAME_MAX + 1, 'a');
  EXPECT_THAT(open(long_component.c_str(), O_RDONLY), SyscallFailsWithErrno(ENAMETOOLONG));
  std::string long_path;
  while (long_path.size() <= PATH_MAX) long_path += "/etc";
  EXPECT_THAT(open(long_path.c_str(), O_RDONLY), SyscallFailsWithErrno(ENAMETOOLONG));
}

TEST(OpenTest, DotDotAtRootStaysAtRoot) {
  struct stat a, b;
  ASSERT_THAT(stat("/../../etc/passwd", &a), SyscallSucceeds());
  ASSERT_THAT(stat(kFile, &b), SyscallSucceeds());
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_dev, b.st_dev);
}

TEST(OpenatTest, RelativeToDirectoryFd) {
  Fd dir(open("/etc", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(dir.get(), SyscallSucceeds());
  Fd fd(openat(dir.get(), "passwd", O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  EXPECT_EQ(ReadAll(fd.get()).rfind("root:", 0), 0u);
}

TEST(OpenatTest, Errors) {
  Fd file(open(kFile, O_RDONLY));
  ASSERT_THAT(file.get(), SyscallSucceeds());
  EXPECT_THAT(openat(file.get(), "x", O_RDONLY), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(openat(-1, "x", O_RDONLY), SyscallFailsWithErrno(EBADF));
  // An absolute path ignores the directory descriptor, even an invalid one.
  Fd abs(openat(-1, kFile, O_RDONLY));
  EXPECT_THAT(abs.get(), SyscallSucceeds());
}

TEST(CloseTest, BadFd) {
  EXPECT_THAT(close(-1), SyscallFailsWithErrno(EBADF));
  const int fd = open(kFile, O_RDONLY);
  ASSERT_THAT(fd, SyscallSucceeds());
  ASSERT_THAT(close(fd), SyscallSucceeds());
  EXPECT_THAT(close(fd), SyscallFailsWithErrno(EBADF));
}

TEST(ReadTest, WriteOnReadOnlyFdIsEBADF) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  EXPECT_THAT(write(fd.get(), "x", 1), SyscallFailsWithErrno(EBADF));
}

TEST(ReadTest, BadFd) {
  char c;
  EXPECT_THAT(read(-1, &c, 1), SyscallFailsWithErrno(EBADF));
  EXPECT_THAT(pread(-1, &c, 1, 0), SyscallFailsWithErrno(EBADF));
}

// ---------------------------------------------------------------- pread/lseek

TEST(PreadTest, DoesNotMoveTheOffset) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  char buf[4] = {};
  ASSERT_THAT(pread(fd.get(), buf, 4, 1), SyscallSucceedsWithValue(4));
  EXPECT_EQ(std::string(buf, 4), "oot:");
  EXPECT_THAT(lseek(fd.get(), 0, SEEK_CUR), SyscallSucceedsWithValue(0));
  ASSERT_THAT(read(fd.get(), buf, 4), SyscallSucceedsWithValue(4));
  EXPECT_EQ(std::string(buf, 4), "root");
}

TEST(PreadTest, PastEndReturnsZero) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  char c;
  EXPECT_THAT(pread(fd.get(), &c, 1, 1 << 30), SyscallSucceedsWithValue(0));
}

TEST(PreadTest, NegativeOffsetIsEINVAL) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  char c;
  EXPECT_THAT(pread(fd.get(), &c, 1, -1), SyscallFailsWithErrno(EINVAL));
}

TEST(LseekTest, Whence) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(fstat(fd.get(), &st), SyscallSucceeds());
  EXPECT_THAT(lseek(fd.get(), 0, SEEK_END), SyscallSucceedsWithValue(st.st_size));
  EXPECT_THAT(lseek(fd.get(), 2, SEEK_SET), SyscallSucceedsWithValue(2));
  EXPECT_THAT(lseek(fd.get(), 3, SEEK_CUR), SyscallSucceedsWithValue(5));
  EXPECT_THAT(lseek(fd.get(), -1, SEEK_CUR), SyscallSucceedsWithValue(4));
  EXPECT_THAT(lseek(fd.get(), -2, SEEK_END), SyscallSucceedsWithValue(st.st_size - 2));
  // Seeking past the end is allowed; reading there gives EOF.
  EXPECT_THAT(lseek(fd.get(), st.st_size + 100, SEEK_SET), SyscallSucceedsWithValue(st.st_size + 100));
  char c;
  EXPECT_THAT(read(fd.get(), &c, 1), SyscallSucceedsWithValue(0));
  ASSERT_THAT(lseek(fd.get(), 0, SEEK_SET), SyscallSucceedsWithValue(0));
  ASSERT_THAT(read(fd.get(), &c, 1), SyscallSucceedsWithValue(1));
  EXPECT_EQ(c, 'r');
}

TEST(LseekTest, Errors) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  EXPECT_THAT(lseek(fd.get(), 0, 42), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(lseek(fd.get(), -1, SEEK_SET), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(lseek(fd.get(), 0, SEEK_CUR), SyscallSucceedsWithValue(0)) << "failed seeks do not move";
  EXPECT_THAT(lseek(-1, 0, SEEK_SET), SyscallFailsWithErrno(EBADF));
}

// ---------------------------------------------------------------- stat family

TEST(FstatTest, RegularFile) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  struct stat st;
  ASSERT_THAT(fstat(fd.get(), &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_GT(st.st_size, 0);
  EXPECT_GE(st.st_nlink, 1u);
  EXPECT_GT(st.st_blksize, 0);
  EXPECT_EQ(st.st_uid, 0u);
  struct stat by_path;
  ASSERT_THAT(stat(kFile, &by_path), SyscallSucceeds());
  EXPECT_EQ(st.st_ino, by_path.st_ino);
  EXPECT_EQ(st.st_dev, by_path.st_dev);
  EXPECT_EQ(st.st_mode, by_path.st_mode);
  EXPECT_EQ(st.st_size, by_path.st_size);
  EXPECT_EQ(st.st_mtim.tv_sec, by_path.st_mtim.tv_sec);
}

TEST(FstatTest, Directory) {
  struct stat st;
  ASSERT_THAT(stat("/", &st), SyscallSucceeds());
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_GE(st.st_nlink, 2u);
}

TEST(FstatTest, BadFd) {
  struct stat st;
  EXPECT_THAT(fstat(-1, &st), SyscallFailsWithErrno(EBADF));
}

TEST(NewfstatatTest, Variants) {
  struct stat ref;
  ASSERT_THAT(stat(kFile, &ref), SyscallSucceeds());

  struct stat st;
  ASSERT_THAT(syscall(SYS_newfstatat, AT_FDCWD, kFile, &st, 0), SyscallSucceedsWithValue(0));
  EXPECT_EQ(st.st_ino, ref.st_ino);

  Fd dir(open("/etc", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(dir.get(), SyscallSucceeds());
  ASSERT_THAT(syscall(SYS_newfstatat, dir.get(), "passwd", &st, 0), SyscallSucceedsWithValue(0));
  EXPECT_EQ(st.st_ino, ref.st_ino);

  Fd file(open(kFile, O_RDONLY));
  ASSERT_THAT(file.get(), SyscallSucceeds());
  ASSERT_THAT(syscall(SYS_newfstatat, file.get(), "", &st, AT_EMPTY_PATH),
              SyscallSucceedsWithValue(0));
  EXPECT_EQ(st.st_ino, ref.st_ino);
  EXPECT_THAT(syscall(SYS_newfstatat, file.get(), "", &st, 0), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(syscall(SYS_newfstatat, AT_FDCWD, kFile, &st, 0x40000000),
              SyscallFailsWithErrno(EINVAL));
}

TEST(NewfstatatTest, NoFollow) {
  if (!IsSymlink("/bin")) GTEST_SKIP() << "/bin is not a symlink on this system";
  struct stat st;
  ASSERT_THAT(syscall(SYS_newfstatat, AT_FDCWD, "/bin", &st, AT_SYMLINK_NOFOLLOW),
              SyscallSucceedsWithValue(0));
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  ASSERT_THAT(syscall(SYS_newfstatat, AT_FDCWD, "/bin", &st, 0), SyscallSucceedsWithValue(0));
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

TEST(NewfstatatTest, Errors) {
  struct stat st;
  EXPECT_THAT(stat("/nonexistent-conformance-file", &st), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(stat("/etc/passwd/x", &st), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(syscall(SYS_newfstatat, -1, "passwd", &st, 0), SyscallFailsWithErrno(EBADF));
}

TEST(StatxTest, BasicStats) {
  struct stat ref;
  ASSERT_THAT(stat(kFile, &ref), SyscallSucceeds());
  struct statx stx;
  memset(&stx, 0, sizeof(stx));
  ASSERT_THAT(syscall(SYS_statx, AT_FDCWD, kFile, 0, STATX_BASIC_STATS, &stx),
              SyscallSucceedsWithValue(0));
  const unsigned required = STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE | STATX_NLINK |
                            STATX_UID | STATX_GID;
  EXPECT_EQ(stx.stx_mask & required, required);
  EXPECT_EQ(stx.stx_ino, ref.st_ino);
  EXPECT_EQ(static_cast<off_t>(stx.stx_size), ref.st_size);
  EXPECT_EQ(stx.stx_mode, ref.st_mode);
  EXPECT_EQ(stx.stx_nlink, ref.st_nlink);
  EXPECT_EQ(stx.stx_uid, ref.st_uid);
  EXPECT_EQ(makedev(stx.stx_dev_major, stx.stx_dev_minor), ref.st_dev);
  EXPECT_EQ(stx.stx_mtime.tv_sec, ref.st_mtim.tv_sec);
}

TEST(StatxTest, EmptyPathOnFd) {
  Fd fd(open(kFile, O_RDONLY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  struct statx stx;
  ASSERT_THAT(syscall(SYS_statx, fd.get(), "", AT_EMPTY_PATH, STATX_SIZE, &stx),
              SyscallSucceedsWithValue(0));
  struct stat ref;
  ASSERT_THAT(fstat(fd.get(), &ref), SyscallSucceeds());
  EXPECT_EQ(static_cast<off_t>(stx.stx_size), ref.st_size);
}

TEST(StatxTest, Errors) {
  struct statx stx;
  EXPECT_THAT(syscall(SYS_statx, AT_FDCWD, "/nonexistent-conformance-file", 0, STATX_BASIC_STATS,
                      &stx),
              SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(syscall(SYS_statx, AT_FDCWD, kFile, 0, STATX__RESERVED, &stx),
              SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(syscall(SYS_statx, AT_FDCWD, kFile, 0x40000000, STATX_BASIC_STATS, &stx),
              SyscallFailsWithErrno(EINVAL));
}

// ---------------------------------------------------------------- access

TEST(AccessTest, Modes) {
  EXPECT_THAT(access(kFile, F_OK), SyscallSucceeds());
  EXPECT_THAT(access(kFile, R_OK), SyscallSucceeds());
  EXPECT_THAT(access("/usr/bin/true", X_OK), SyscallSucceeds());
  EXPECT_THAT(access("/", R_OK | X_OK), SyscallSucceeds());
  // No execute bit at all: refused even to root.
  EXPECT_THAT(access(kFile, X_OK), SyscallFailsWithErrno(EACCES));
}

TEST(AccessTest, Errors) {
  EXPECT_THAT(access("/nonexistent-conformance-file", F_OK), SyscallFailsWithErrno(ENOENT));
  EXPECT_THAT(access("/etc/passwd/x", F_OK), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(syscall(SYS_access, kFile, 0x80), SyscallFailsWithErrno(EINVAL));
}

// ---------------------------------------------------------------- readlink

TEST(ReadlinkTest, Symlink) {
  if (!IsSymlink("/bin")) GTEST_SKIP() << "/bin is not a symlink on this system";
  struct stat lst;
  ASSERT_THAT(lstat("/bin", &lst), SyscallSucceeds());
  char buf[PATH_MAX];
  const ssize_t n = readlink("/bin", buf, sizeof(buf));
  ASSERT_THAT(n, SyscallSucceedsWithValue(lst.st_size));
  const std::string target(buf, n);
  // The target names the same directory /bin resolves to.
  const std::string resolved = target[0] == '/' ? target : "/" + target;
  struct stat a, b;
  ASSERT_THAT(stat("/bin", &a), SyscallSucceeds());
  ASSERT_THAT(stat(resolved.c_str(), &b), SyscallSucceeds());
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_dev, b.st_dev);
}

TEST(ReadlinkTest, TruncatesWithoutTerminator) {
  if (!IsSymlink("/bin")) GTEST_SKIP() << "/bin is not a symlink on this system";
  char full[PATH_MAX];
  const ssize_t n = readlink("/bin", full, sizeof(full));
  ASSERT_GT(n, 2);
  char buf[8];
  memset(buf, '#', sizeof(buf));
  EXPECT_THAT(readlink("/bin", buf, 2), SyscallSucceedsWithValue(2));
  EXPECT_EQ(buf[0], full[0]);
  EXPECT_EQ(buf[1], full[1]);
  EXPECT_EQ(buf[2], '#') << "readlink must not write past bufsiz nor add a NUL";
}

TEST(ReadlinkTest, Errors) {
  char buf[64];
  EXPECT_THAT(readlink(kFile, buf, sizeof(buf)), SyscallFailsWithErrno(EINVAL));
  EXPECT_THAT(readlink("/nonexistent-conformance-file", buf, sizeof(buf)),
              SyscallFailsWithErrno(ENOENT));
  if (IsSymlink("/bin")) {
    EXPECT_THAT(syscall(SYS_readlink, "/bin", buf, 0), SyscallFailsWithErrno(EINVAL));
  }
}

// ---------------------------------------------------------------- getcwd/chdir

TEST(GetcwdTest, NamesTheCurrentDirectory) {
  char buf[PATH_MAX];
  ASSERT_NE(getcwd(buf, sizeof(buf)), nullptr) << conformance::ErrnoName(errno);
  EXPECT_EQ(buf[0], '/');
  struct stat a, b;
  ASSERT_THAT(stat(buf, &a), SyscallSucceeds());
  ASSERT_THAT(stat(".", &b), SyscallSucceeds());
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(a.st_dev, b.st_dev);
  // The raw call returns the length including the NUL.
  char raw[PATH_MAX];
  EXPECT_THAT(syscall(SYS_getcwd, raw, sizeof(raw)), SyscallSucceedsWithValue(strlen(buf) + 1));
  EXPECT_STREQ(raw, buf);
}

TEST(GetcwdTest, SmallBufferIsERANGE) {
  char buf[1];
  EXPECT_THAT(syscall(SYS_getcwd, buf, sizeof(buf)), SyscallFailsWithErrno(ERANGE));
  EXPECT_THAT(syscall(SYS_getcwd, buf, 0), SyscallFailsWithErrno(ERANGE));
}

TEST(ChdirTest, RoundTrip) {
  Fd saved(open(".", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(saved.get(), SyscallSucceeds());
  ASSERT_THAT(chdir("/etc"), SyscallSucceeds());
  char buf[PATH_MAX];
  ASSERT_NE(getcwd(buf, sizeof(buf)), nullptr);
  EXPECT_STREQ(buf, "/etc");
  struct stat st;
  EXPECT_THAT(stat("passwd", &st), SyscallSucceeds()) << "relative paths use the new cwd";
  ASSERT_THAT(chdir(".."), SyscallSucceeds());
  ASSERT_NE(getcwd(buf, sizeof(buf)), nullptr);
  EXPECT_STREQ(buf, "/");
  EXPECT_THAT(chdir(kFile), SyscallFailsWithErrno(ENOTDIR));
  EXPECT_THAT(chdir("/nonexistent-conformance-file"), SyscallFailsWithErrno(ENOENT));
  ASSERT_THAT(fchdir(saved.get()), SyscallSucceeds());
}

// ---------------------------------------------------------------- getdents64

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// name -> d_type for every entry of the directory open on `fd`.
std::map<std::string, int> ReadDir(int fd, size_t bufsize = 4096) {
  std::map<std::string, int> out;
  std::vector<char> buf(bufsize);
  for (;;) {
    const long n = syscall(SYS_getdents64, fd, buf.data(), buf.size());
    EXPECT_THAT(n, SyscallSucceeds());
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      const LinuxDirent64* d = reinterpret_cast<const LinuxDirent64*>(buf.data() + off);
      EXPECT_GT(d->d_reclen, 0);
      EXPECT_EQ(d->d_reclen % 8, 0) << "records are 8-byte aligned";
      EXPECT_TRUE(out.emplace(d->d_name, d->d_type).second) << "duplicate entry " << d->d_name;
      off += d->d_reclen;
    }
  }
  return out;
}

TEST(Getdents64Test, RootDirectory) {
  Fd fd(open("/", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  const std::map<std::string, int> entries = ReadDir(fd.get());
  ASSERT_EQ(entries.count("."), 1u);
  ASSERT_EQ(entries.count(".."), 1u);
  ASSERT_EQ(entries.count("etc"), 1u);
  ASSERT_EQ(entries.count("usr"), 1u);
  EXPECT_EQ(entries.at("etc"), DT_DIR);
  EXPECT_EQ(entries.at("usr"), DT_DIR);
  EXPECT_EQ(entries.at("."), DT_DIR);
  if (IsSymlink("/bin")) {
    ASSERT_EQ(entries.count("bin"), 1u);
    EXPECT_EQ(entries.at("bin"), DT_LNK);
  }
  // At the end, further calls keep returning 0.
  char buf[512];
  EXPECT_THAT(syscall(SYS_getdents64, fd.get(), buf, sizeof(buf)), SyscallSucceedsWithValue(0));
}

TEST(Getdents64Test, FileTypes) {
  Fd fd(open("/etc", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  const std::map<std::string, int> entries = ReadDir(fd.get());
  ASSERT_EQ(entries.count("passwd"), 1u);
  EXPECT_EQ(entries.at("passwd"), DT_REG);
}

TEST(Getdents64Test, SmallBuffersSeeTheSameEntries) {
  Fd a(open("/etc", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(a.get(), SyscallSucceeds());
  Fd b(open("/etc", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(b.get(), SyscallSucceeds());
  // 300 bytes fits one maximal record (19 + 256 rounded to 8).
  EXPECT_EQ(ReadDir(a.get(), 32768), ReadDir(b.get(), 300));
}

TEST(Getdents64Test, RewindRestarts) {
  Fd fd(open("/", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(fd.get(), SyscallSucceeds());
  const auto first = ReadDir(fd.get());
  ASSERT_THAT(lseek(fd.get(), 0, SEEK_SET), SyscallSucceedsWithValue(0));
  EXPECT_EQ(ReadDir(fd.get()), first);
}

TEST(Getdents64Test, Errors) {
  char buf[4096];
  EXPECT_THAT(syscall(SYS_getdents64, -1, buf, sizeof(buf)), SyscallFailsWithErrno(EBADF));
  Fd file(open(kFile, O_RDONLY));
  ASSERT_THAT(file.get(), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_getdents64, file.get(), buf, sizeof(buf)),
              SyscallFailsWithErrno(ENOTDIR));
  Fd dir(open("/", O_RDONLY | O_DIRECTORY));
  ASSERT_THAT(dir.get(), SyscallSucceeds());
  EXPECT_THAT(syscall(SYS_getdents64, dir.get(), buf, 8), SyscallFailsWithErrno(EINVAL))
      << "buffer too small for one record";
}

}  // namespace
