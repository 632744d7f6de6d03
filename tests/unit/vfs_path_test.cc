// Path walk tests over a hostfs rooted in a temporary directory: `..`
// clamping, symlink resolution inside the root, ELOOP, ENAMETOOLONG,
// trailing slashes, O_NOFOLLOW, read-only opens, mounts, getdents.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "abi/linux/dirent.h"
#include "gtest/gtest.h"
#include "sentry/fs/hostfs/host_filesystem.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/dentry_cache.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/fs_context.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"

namespace sentry::vfs {
namespace {

namespace stdfs = std::filesystem;

void WriteFile(const stdfs::path& p, const std::string& data, mode_t mode) {
  std::ofstream(p) << data;
  ASSERT_EQ(chmod(p.c_str(), mode), 0);
}

void Symlink(const std::string& target, const stdfs::path& at) {
  ASSERT_EQ(symlink(target.c_str(), at.c_str()), 0) << at;
}

class VfsPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vfs_path_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    root_ = base_ / "root";
    // Outside the sandbox root: must never be reachable.
    WriteFile(base_ / "secret", "host secret", 0644);
    stdfs::create_directories(root_ / "dir" / "sub");
    WriteFile(root_ / "dir" / "file", "hello", 0644);
    WriteFile(root_ / "exe", "#!/bin/sh\n", 0755);
    WriteFile(root_ / "noexec", "data", 0644);
    Symlink("/dir/file", root_ / "link_abs");
    Symlink("dir/file", root_ / "link_rel");
    Symlink("dir", root_ / "dirlink");
    Symlink("../../../..", root_ / "link_dotdot");
    Symlink("/../../secret", root_ / "link_slashdotdot");
    Symlink("../secret", root_ / "link_up");
    Symlink(base_.string() + "/secret", root_ / "link_hostabs");
    Symlink("/dir/dangling", root_ / "link_dangling");
    Symlink("loop2", root_ / "loop1");
    Symlink("loop1", root_ / "loop2");
    Symlink("self", root_ / "self");
    Symlink("dir/file/", root_ / "link_file_slash");
    // chainN -> chainN+1 -> ... -> chain40 -> dir/file: chain0 needs 41
    // links, chain1 needs 40.
    for (int i = 0; i < 40; ++i) {
      Symlink("chain" + std::to_string(i + 1),
              root_ / ("chain" + std::to_string(i)));
    }
    Symlink("dir/file", root_ / "chain40");

    auto vfs = VirtualFilesystem::New(root_.string());
    ASSERT_TRUE(vfs.ok()) << vfs.status();
    vfs_ = *vfs;
    root_vd_ = vfs_->Root();
  }

  void TearDown() override {
    vfs_.reset();
    std::error_code ec;
    stdfs::remove_all(base_, ec);
  }

  int64_t Lookup(const std::string& path, VirtualDentry* out,
                 bool follow = true) {
    LookupOptions opts;
    opts.follow_final = follow;
    return vfs_->GetDentryAt(root_vd_, root_vd_, path, opts, Credentials{},
                             out);
  }

  // Resolves `path` and returns its sandbox path, or the errno as "E<n>".
  std::string Resolve(const std::string& path, bool follow = true) {
    VirtualDentry vd;
    int64_t r = Lookup(path, &vd, follow);
    if (r < 0) return "E" + std::to_string(-r);
    return VirtualFilesystem::PathOf(root_vd_, vd);
  }

  int64_t Open(const std::string& path, int flags,
               std::shared_ptr<FileDescription>* out = nullptr) {
    std::shared_ptr<FileDescription> f;
    int64_t r = vfs_->OpenAt(root_vd_, root_vd_, path, flags, 0644,
                             Credentials{}, &f);
    if (out) *out = f;
    return r;
  }

  static std::string E(int err) { return "E" + std::to_string(err); }

  stdfs::path base_;
  stdfs::path root_;
  std::shared_ptr<VirtualFilesystem> vfs_;
  VirtualDentry root_vd_;
};

TEST_F(VfsPathTest, PlainPaths) {
  EXPECT_EQ(Resolve("/"), "/");
  EXPECT_EQ(Resolve("/dir"), "/dir");
  EXPECT_EQ(Resolve("dir/file"), "/dir/file");
  EXPECT_EQ(Resolve("//dir///file"), "/dir/file");
  EXPECT_EQ(Resolve("./dir/./sub/."), "/dir/sub");
  EXPECT_EQ(Resolve("/dir/sub/.."), "/dir");
  EXPECT_EQ(Resolve("/missing"), E(ENOENT));
  EXPECT_EQ(Resolve("/missing/x"), E(ENOENT));
  EXPECT_EQ(Resolve(""), E(ENOENT));
}

TEST_F(VfsPathTest, DotDotClampsAtRoot) {
  EXPECT_EQ(Resolve(".."), "/");
  EXPECT_EQ(Resolve("/../../.."), "/");
  EXPECT_EQ(Resolve("/../dir/../../dir/file"), "/dir/file");
  EXPECT_EQ(Resolve("/../secret"), E(ENOENT));
  EXPECT_EQ(Resolve("../../root/dir"), E(ENOENT));
}

TEST_F(VfsPathTest, DotDotClampsAtFsContextRoot) {
  // A chroot-like root at /dir: nothing above it is reachable.
  VirtualDentry dir;
  ASSERT_EQ(Lookup("/dir", &dir), 0);
  VirtualDentry vd;
  EXPECT_EQ(vfs_->GetDentryAt(dir, dir, "../../..", LookupOptions{},
                              Credentials{}, &vd),
            0);
  EXPECT_TRUE(vd == dir);
  EXPECT_EQ(vfs_->GetDentryAt(dir, dir, "../dir/file", LookupOptions{},
                              Credentials{}, &vd),
            -ENOENT);
  EXPECT_EQ(vfs_->GetDentryAt(dir, dir, "/file", LookupOptions{},
                              Credentials{}, &vd),
            0);
  EXPECT_EQ(VirtualFilesystem::PathOf(dir, vd), "/file");
  // An absolute symlink restarts at the caller's root, not the VFS root.
  EXPECT_EQ(vfs_->GetDentryAt(dir, root_vd_, "link_abs", LookupOptions{},
                              Credentials{}, &vd),
            -ENOENT);
}

TEST_F(VfsPathTest, SymlinksResolveInsideRoot) {
  EXPECT_EQ(Resolve("/link_abs"), "/dir/file");
  EXPECT_EQ(Resolve("/link_rel"), "/dir/file");
  EXPECT_EQ(Resolve("/dirlink/file"), "/dir/file");
  EXPECT_EQ(Resolve("/dirlink/sub/../file"), "/dir/file");
  EXPECT_EQ(Resolve("/link_abs", /*follow=*/false), "/link_abs");
  VirtualDentry vd;
  ASSERT_EQ(Lookup("/link_abs", &vd, false), 0);
  EXPECT_TRUE(vd.dentry->IsSymlink());
}

TEST_F(VfsPathTest, SymlinkEscapesStayInside) {
  EXPECT_EQ(Resolve("/link_dotdot"), "/");
  EXPECT_EQ(Resolve("/link_dotdot/dir/file"), "/dir/file");
  EXPECT_EQ(Resolve("/link_slashdotdot"), E(ENOENT));
  EXPECT_EQ(Resolve("/link_up"), E(ENOENT));
  // An absolute host path is looked up inside the sandbox root.
  EXPECT_EQ(Resolve("/link_hostabs"), E(ENOENT));
  std::shared_ptr<FileDescription> f;
  EXPECT_EQ(Open("/link_up", O_RDONLY, &f), -ENOENT);
  EXPECT_EQ(Open("/link_dotdot/../secret", O_RDONLY, &f), -ENOENT);
}

TEST_F(VfsPathTest, SymlinkLoops) {
  EXPECT_EQ(Resolve("/loop1"), E(ELOOP));
  EXPECT_EQ(Resolve("/self"), E(ELOOP));
  EXPECT_EQ(Resolve("/self/x"), E(ELOOP));
  EXPECT_EQ(Resolve("/loop1", /*follow=*/false), "/loop1");
  // 40 links are allowed, 41 are not.
  EXPECT_EQ(Resolve("/chain1"), "/dir/file");
  EXPECT_EQ(Resolve("/chain0"), E(ELOOP));
}

TEST_F(VfsPathTest, NameTooLong) {
  std::string name255(255, 'a');
  std::string name256(256, 'a');
  EXPECT_EQ(Resolve("/" + name255), E(ENOENT));
  EXPECT_EQ(Resolve("/" + name256), E(ENAMETOOLONG));
  EXPECT_EQ(Resolve("/dir/" + name256 + "/x"), E(ENAMETOOLONG));
  // PATH_MAX counts the NUL: 4095 bytes is the longest path.
  std::string longest = "/dir";
  while (longest.size() < 4095) longest += "/";
  EXPECT_EQ(Resolve(longest), "/dir");
  EXPECT_EQ(Resolve(longest + "/"), E(ENAMETOOLONG));
}

TEST_F(VfsPathTest, TrailingSlashes) {
  EXPECT_EQ(Resolve("/dir/"), "/dir");
  EXPECT_EQ(Resolve("/dir/file/"), E(ENOTDIR));
  EXPECT_EQ(Resolve("/dir/file/."), E(ENOTDIR));
  EXPECT_EQ(Resolve("/dir/file/.."), E(ENOTDIR));
  EXPECT_EQ(Resolve("/dir/file/x"), E(ENOTDIR));
  // A trailing slash follows a final symlink even without follow.
  EXPECT_EQ(Resolve("/dirlink/", /*follow=*/false), "/dir");
  EXPECT_EQ(Resolve("/link_rel/", /*follow=*/false), E(ENOTDIR));
  EXPECT_EQ(Resolve("/link_file_slash"), E(ENOTDIR));
  LookupOptions opts;
  opts.must_be_dir = true;
  VirtualDentry vd;
  EXPECT_EQ(vfs_->GetDentryAt(root_vd_, root_vd_, "/dir/file", opts,
                              Credentials{}, &vd),
            -ENOTDIR);
}

TEST_F(VfsPathTest, ReadlinkAt) {
  std::string target;
  EXPECT_EQ(vfs_->ReadlinkAt(root_vd_, root_vd_, "/link_up", Credentials{},
                             &target),
            0);
  EXPECT_EQ(target, "../secret");
  EXPECT_EQ(vfs_->ReadlinkAt(root_vd_, root_vd_, "/dir/file", Credentials{},
                             &target),
            -EINVAL);
  // The final component is not followed, intermediate ones are.
  EXPECT_EQ(vfs_->ReadlinkAt(root_vd_, root_vd_, "/dirlink", Credentials{},
                             &target),
            0);
  EXPECT_EQ(target, "dir");
}

TEST_F(VfsPathTest, OpenFlags) {
  std::shared_ptr<FileDescription> f;
  ASSERT_EQ(Open("/link_abs", O_RDONLY, &f), 0);
  char buf[16] = {};
  EXPECT_EQ(f->PRead(buf, sizeof(buf), 0), 5);
  EXPECT_STREQ(buf, "hello");
  EXPECT_EQ(f->PRead(buf, sizeof(buf), 2), 3);
  EXPECT_EQ(f->Path(), "/dir/file");
  EXPECT_TRUE(f->IsReadable());
  EXPECT_FALSE(f->IsWritable());
  uapi::Stat st;
  ASSERT_EQ(f->Stat(&st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_size, 5);

  EXPECT_EQ(Open("/link_abs", O_RDONLY | O_NOFOLLOW), -ELOOP);
  ASSERT_EQ(Open("/link_abs", O_PATH | O_NOFOLLOW, &f), 0);
  ASSERT_EQ(f->Stat(&st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(f->PRead(buf, 1, 0), -EBADF);
  EXPECT_EQ(Open("/dirlink/", O_RDONLY | O_NOFOLLOW), 0);

  EXPECT_EQ(Open("/dir/file", O_RDONLY | O_DIRECTORY), -ENOTDIR);
  EXPECT_EQ(Open("/dir", O_RDONLY | O_DIRECTORY), 0);
  EXPECT_EQ(Open("/dir", O_RDWR), -EISDIR);
  EXPECT_EQ(Open("/dir", O_WRONLY), -EISDIR);
}

TEST_F(VfsPathTest, ReadOnlyMount) {
  EXPECT_EQ(Open("/dir/file", O_WRONLY), -EROFS);
  EXPECT_EQ(Open("/dir/file", O_RDWR), -EROFS);
  EXPECT_EQ(Open("/dir/file", O_RDONLY | O_TRUNC), -EROFS);
  EXPECT_EQ(Open("/dir/new", O_WRONLY | O_CREAT), -EROFS);
  EXPECT_EQ(Open("/dir/new/", O_RDONLY | O_CREAT), -EISDIR);
  EXPECT_EQ(Open("/missing/new", O_RDONLY | O_CREAT), -ENOENT);
  // Existing file without O_EXCL: opened, not created.
  EXPECT_EQ(Open("/dir/file", O_RDONLY | O_CREAT), 0);
  EXPECT_EQ(Open("/dir/file", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
  // O_EXCL does not follow: an existing symlink is EEXIST.
  EXPECT_EQ(Open("/link_up", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
  // A dangling symlink with O_CREAT would create its target: EROFS.
  EXPECT_EQ(Open("/link_dangling", O_WRONLY | O_CREAT), -EROFS);
  EXPECT_EQ(Open("/link_dangling", O_RDONLY), -ENOENT);
  // The host path in a symlink names nothing inside the sandbox.
  EXPECT_EQ(Open("/link_hostabs", O_WRONLY | O_CREAT), -ENOENT);
  EXPECT_EQ(Open("/dir", O_RDONLY | O_CREAT), -EISDIR);
  EXPECT_EQ(Open("/dir", O_RDWR | O_TMPFILE), -EROFS);
  // Nothing was created on the host.
  EXPECT_FALSE(stdfs::exists(root_ / "dir" / "new"));
  EXPECT_FALSE(stdfs::exists(base_ / "secret_new"));
}

TEST_F(VfsPathTest, Getdents) {
  std::shared_ptr<FileDescription> f;
  ASSERT_EQ(Open("/dir", O_RDONLY | O_DIRECTORY, &f), 0);
  auto list = [&](size_t bufsize) {
    std::vector<std::string> names;
    std::vector<char> buf(bufsize);
    for (;;) {
      int64_t n = f->Getdents64(buf.data(), buf.size());
      EXPECT_GE(n, 0);
      if (n <= 0) break;
      for (int64_t pos = 0; pos < n;) {
        uapi::Dirent64 hdr;
        std::memcpy(&hdr, buf.data() + pos, uapi::kDirent64NameOffset);
        names.emplace_back(buf.data() + pos + uapi::kDirent64NameOffset);
        EXPECT_EQ(hdr.d_reclen % 8, 0);
        pos += hdr.d_reclen;
      }
    }
    return names;
  };
  std::vector<std::string> all = list(4096);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()),
            (std::set<std::string>{".", "..", "file", "sub"}));
  EXPECT_EQ(all[0], ".");
  EXPECT_EQ(all[1], "..");
  // A buffer for one record at a time gives the same listing.
  ASSERT_EQ(f->Seek(0, SEEK_SET), 0);
  EXPECT_EQ(list(24), all);
  // Too small for any record.
  ASSERT_EQ(f->Seek(0, SEEK_SET), 0);
  char tiny[8];
  EXPECT_EQ(f->Getdents64(tiny, sizeof(tiny)), -EINVAL);
  // Reading a directory is EISDIR; a regular file has no entries.
  char c;
  EXPECT_EQ(f->PRead(&c, 1, 0), -EISDIR);
  std::shared_ptr<FileDescription> reg;
  ASSERT_EQ(Open("/dir/file", O_RDONLY, &reg), 0);
  EXPECT_EQ(reg->Getdents64(tiny, sizeof(tiny)), -ENOTDIR);
}

TEST_F(VfsPathTest, FsContextAndExec) {
  auto fs = vfs_->NewFsContext("/dir");
  ASSERT_TRUE(fs.ok()) << fs.status();
  EXPECT_EQ(VirtualFilesystem::PathOf((*fs)->root(), (*fs)->cwd()), "/dir");
  EXPECT_FALSE(vfs_->NewFsContext("/missing").ok());
  EXPECT_FALSE(vfs_->NewFsContext("/dir/file").ok());
  EXPECT_FALSE(vfs_->NewFsContext("relative").ok());
  EXPECT_TRUE(vfs_->NewFsContext("/dirlink").ok());

  std::shared_ptr<FileDescription> f;
  std::string resolved;
  EXPECT_EQ(vfs_->OpenForExec(**fs, "../exe", &f, &resolved), 0);
  EXPECT_EQ(resolved, "/exe");
  EXPECT_EQ(vfs_->OpenForExec(**fs, "/noexec", &f, &resolved), -EACCES);
  EXPECT_EQ(vfs_->OpenForExec(**fs, "/dir", &f, &resolved), -EACCES);
  EXPECT_EQ(vfs_->OpenForExec(**fs, "/missing", &f, &resolved), -ENOENT);
  EXPECT_EQ(vfs_->OpenForExec(**fs, "/loop1", &f, &resolved), -ELOOP);
  EXPECT_EQ(vfs_->OpenForExec(**fs, "file/", &f, &resolved), -ENOTDIR);

  auto child = (*fs)->Fork();
  VirtualDentry sub;
  ASSERT_EQ(Lookup("/dir/sub", &sub), 0);
  child->SetCwd(sub);
  EXPECT_EQ(VirtualFilesystem::PathOf((*fs)->root(), (*fs)->cwd()), "/dir");
  EXPECT_EQ(child->SwapUmask(077), 022);
  EXPECT_EQ((*fs)->umask(), 022);
}

TEST_F(VfsPathTest, Mounts) {
  stdfs::path other = base_ / "other";
  stdfs::create_directories(other / "inner");
  WriteFile(other / "x", "other", 0644);
  Symlink("/dir/file", other / "abs");
  auto ofs = fs::HostFilesystem::New(other.string());
  ASSERT_TRUE(ofs.ok());
  ASSERT_TRUE(vfs_->AddMount("/dir/sub", *ofs, kMountReadOnly).ok());
  EXPECT_FALSE(vfs_->AddMount("/dir/file", *ofs, 0).ok());
  EXPECT_EQ(vfs_->Mounts().size(), 2u);

  EXPECT_EQ(Resolve("/dir/sub/x"), "/dir/sub/x");
  EXPECT_EQ(Resolve("/dirlink/sub/inner/../x"), "/dir/sub/x");
  EXPECT_EQ(Resolve("/dir/sub/.."), "/dir");
  EXPECT_EQ(Resolve("/dir/sub/inner/../../file"), "/dir/file");
  // Symlinks inside the mounted filesystem resolve from the sandbox root.
  EXPECT_EQ(Resolve("/dir/sub/abs"), "/dir/file");
  VirtualDentry vd;
  ASSERT_EQ(Lookup("/dir/sub", &vd), 0);
  EXPECT_NE(vd.mount, root_vd_.mount);
  EXPECT_TRUE(vd.dentry == vd.mount->root());
  std::shared_ptr<FileDescription> f;
  ASSERT_EQ(Open("/dir/sub/x", O_RDONLY, &f), 0);
  char buf[8] = {};
  EXPECT_EQ(f->PRead(buf, sizeof(buf), 0), 5);
  EXPECT_STREQ(buf, "other");
}

TEST_F(VfsPathTest, DentryCacheIsBounded) {
  DentryCache cache(2);
  VirtualDentry a, b, c;
  ASSERT_EQ(Lookup("/dir", &a), 0);
  ASSERT_EQ(Lookup("/dir/file", &b), 0);
  ASSERT_EQ(Lookup("/dir/sub", &c), 0);
  cache.Touch(a.dentry);
  cache.Touch(b.dentry);
  cache.Touch(a.dentry);
  EXPECT_EQ(cache.size(), 2u);
  std::weak_ptr<Dentry> weak_b = b.dentry;
  b = VirtualDentry{};
  cache.Touch(c.dentry);  // evicts b, the least recently used
  EXPECT_EQ(cache.size(), 2u);
  // b may still be held by the filesystem's own cache; a lookup still
  // finds the same file.
  VirtualDentry again;
  ASSERT_EQ(Lookup("/dir/file", &again), 0);
  EXPECT_TRUE(again.dentry->IsRegular());
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
}

TEST(VfsHostRootTest, HostPseudoFilesystemsAreHidden) {
  auto vfs = VirtualFilesystem::New("/");
  ASSERT_TRUE(vfs.ok());
  VirtualDentry root = (*vfs)->Root();
  VirtualDentry vd;
  struct stat st;
  if (stat("/proc/self", &st) == 0) {
    EXPECT_EQ((*vfs)->GetDentryAt(root, root, "/proc/self", LookupOptions{},
                                  Credentials{}, &vd),
              -ENOENT);
  }
  if (stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)) {
    std::shared_ptr<FileDescription> f;
    EXPECT_EQ((*vfs)->OpenAt(root, root, "/dev/null", O_RDONLY, 0,
                             Credentials{}, &f),
              -EACCES);
  }
}

}  // namespace
}  // namespace sentry::vfs
