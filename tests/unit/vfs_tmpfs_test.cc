// tmpfs and the namespace operations through the VFS, without a task:
// contents moving from the inline buffer to a memfd, the size limit
// (ENOSPC), rename bookkeeping of dentries and paths, link counts, and the
// lock manager and wait queue.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/vfs/dentry.h"
#include "sentry/vfs/file_description.h"
#include "sentry/vfs/lock.h"
#include "sentry/vfs/mount.h"
#include "sentry/vfs/vfs.h"
#include "sentry/vfs/waiter.h"

namespace sentry::vfs {
namespace {

class TmpfsTest : public ::testing::Test {
 protected:
  void SetUp() override { Make(0); }
  void Make(uint64_t limit) {
    fs::TmpfsOptions o;
    o.size_limit = limit;
    fs_ = fs::TmpfsFilesystem::New(o);
    vfs_ = std::make_shared<VirtualFilesystem>(fs_, 0);
    root_ = vfs_->Root();
  }
  std::shared_ptr<FileDescription> Open(const std::string& path, int flags,
                                        mode_t mode = 0644) {
    std::shared_ptr<FileDescription> f;
    int64_t r = vfs_->OpenAt(root_, root_, path, flags, mode, creds_, &f);
    EXPECT_EQ(r, 0) << path;
    return f;
  }
  uapi::Stat StatOf(const std::string& path) {
    VirtualDentry vd;
    uapi::Stat st{};
    LookupOptions o;
    o.follow_final = false;
    EXPECT_EQ(vfs_->GetDentryAt(root_, root_, path, o, creds_, &vd), 0) << path;
    if (vd.ok()) vd.dentry->Stat(&st);
    return st;
  }

  Credentials creds_;
  std::shared_ptr<fs::TmpfsFilesystem> fs_;
  std::shared_ptr<VirtualFilesystem> vfs_;
  VirtualDentry root_;
};

TEST_F(TmpfsTest, ContentsMoveToAMemfd) {
  auto f = Open("/f", O_RDWR | O_CREAT);
  ASSERT_TRUE(f);
  std::string small(100, 's');
  EXPECT_EQ(f->PWrite(small.data(), small.size(), 0), 100);
  std::string big(fs::kInlineMax + 10, 'b');
  EXPECT_EQ(f->PWrite(big.data(), big.size(), 50),
            static_cast<int64_t>(big.size()));
  std::string back(60, '\0');
  EXPECT_EQ(f->PRead(back.data(), back.size(), 0), 60);
  EXPECT_EQ(back, std::string(50, 's') + std::string(10, 'b'));
  int hfd = f->MappableHostFd();
  ASSERT_GE(hfd, 0);
  struct stat st;
  ASSERT_EQ(fstat(hfd, &st), 0);
  EXPECT_EQ(st.st_size, static_cast<off_t>(50 + big.size()));
  // A small file hands out a memfd too, with its contents.
  auto g = Open("/g", O_RDWR | O_CREAT);
  ASSERT_EQ(g->PWrite("abc", 3, 0), 3);
  int gfd = g->MappableHostFd();
  ASSERT_GE(gfd, 0);
  char buf[4] = {};
  EXPECT_EQ(pread(gfd, buf, 3, 0), 3);
  EXPECT_STREQ(buf, "abc");
}

TEST_F(TmpfsTest, SizeLimit) {
  Make(64 * 1024);
  auto f = Open("/f", O_RDWR | O_CREAT);
  std::string chunk(32 * 1024, 'x');
  EXPECT_EQ(f->PWrite(chunk.data(), chunk.size(), 0), 32 * 1024);
  EXPECT_EQ(f->PWrite(chunk.data(), chunk.size(), 32 * 1024), 32 * 1024);
  EXPECT_EQ(f->PWrite("y", 1, 64 * 1024), -ENOSPC);
  // Sparse sizes cost nothing; shrinking gives space back.
  EXPECT_EQ(f->Truncate(1 << 30), 0);
  EXPECT_EQ(f->Truncate(16 * 1024), 0);
  EXPECT_EQ(fs_->used(), 16u * 1024);
  auto g = Open("/g", O_RDWR | O_CREAT);
  EXPECT_EQ(g->PWrite(chunk.data(), chunk.size(), 0), 32 * 1024);
  uapi::Statfs sf;
  ASSERT_EQ(VirtualFilesystem::Statfs(root_, &sf), 0);
  EXPECT_EQ(sf.f_blocks, 16u);
  EXPECT_EQ(sf.f_bfree, 4u);
  // Unlinking a file gives its space back once it is closed.
  EXPECT_EQ(vfs_->UnlinkAt(root_, root_, "/g", creds_), 0);
  g.reset();
  EXPECT_EQ(fs_->used(), 16u * 1024);
}

TEST_F(TmpfsTest, RenameMovesDentriesAndPaths) {
  ASSERT_EQ(vfs_->MkdirAt(root_, root_, "/a", 0755, creds_), 0);
  ASSERT_EQ(vfs_->MkdirAt(root_, root_, "/b", 0755, creds_), 0);
  auto f = Open("/a/file", O_RDWR | O_CREAT);
  ASSERT_TRUE(f);
  std::shared_ptr<Dentry> d = f->location().dentry;
  EXPECT_EQ(VirtualFilesystem::PathOf(root_, f->location()), "/a/file");
  ASSERT_EQ(vfs_->RenameAt(root_, root_, "/a/file", root_, "/b/moved", 0, creds_),
            0);
  EXPECT_EQ(d->name(), "moved");
  EXPECT_EQ(VirtualFilesystem::PathOf(root_, f->location()), "/b/moved");
  // A lookup finds the same dentry.
  VirtualDentry vd;
  ASSERT_EQ(vfs_->GetDentryAt(root_, root_, "/b/moved", LookupOptions{}, creds_,
                              &vd),
            0);
  EXPECT_EQ(vd.dentry, d);
  EXPECT_EQ(vfs_->GetDentryAt(root_, root_, "/a/file", LookupOptions{}, creds_,
                              &vd),
            -ENOENT);
  // Directories carry their link counts along.
  ASSERT_EQ(vfs_->MkdirAt(root_, root_, "/a/sub", 0755, creds_), 0);
  EXPECT_EQ(StatOf("/a").st_nlink, 3u);
  ASSERT_EQ(vfs_->RenameAt(root_, root_, "/a/sub", root_, "/b/sub", 0, creds_), 0);
  EXPECT_EQ(StatOf("/a").st_nlink, 2u);
  EXPECT_EQ(StatOf("/b").st_nlink, 3u);
  // Replacing marks the old dentry deleted.
  auto g = Open("/b/victim", O_RDWR | O_CREAT);
  ASSERT_EQ(vfs_->RenameAt(root_, root_, "/b/moved", root_, "/b/victim", 0,
                           creds_),
            0);
  EXPECT_TRUE(g->location().dentry->IsDeleted());
  uapi::Stat st;
  g->Stat(&st);
  EXPECT_EQ(st.st_nlink, 0u);
}

TEST_F(TmpfsTest, HardLinksShareTheInode) {
  auto f = Open("/f", O_RDWR | O_CREAT);
  ASSERT_EQ(f->PWrite("data", 4, 0), 4);
  ASSERT_EQ(vfs_->LinkAt(root_, f->location(), root_, "/g", creds_), 0);
  EXPECT_EQ(StatOf("/f").st_ino, StatOf("/g").st_ino);
  EXPECT_EQ(StatOf("/g").st_nlink, 2u);
  EXPECT_EQ(vfs_->UnlinkAt(root_, root_, "/f", creds_), 0);
  EXPECT_EQ(StatOf("/g").st_nlink, 1u);
  auto g = Open("/g", O_RDONLY);
  char buf[5] = {};
  EXPECT_EQ(g->PRead(buf, 4, 0), 4);
  EXPECT_STREQ(buf, "data");
}

TEST_F(TmpfsTest, RemovedDirectoryRefusesCreation) {
  ASSERT_EQ(vfs_->MkdirAt(root_, root_, "/d", 0755, creds_), 0);
  VirtualDentry d;
  ASSERT_EQ(vfs_->GetDentryAt(root_, root_, "/d", LookupOptions{}, creds_, &d), 0);
  ASSERT_EQ(vfs_->RmdirAt(root_, root_, "/d", creds_), 0);
  std::shared_ptr<FileDescription> f;
  EXPECT_EQ(vfs_->OpenAt(root_, d, "x", O_RDWR | O_CREAT, 0644, creds_, &f),
            -ENOENT);
  EXPECT_EQ(vfs_->MkdirAt(root_, d, "x", 0755, creds_), -ENOENT);
}

TEST(LockManagerTest, RecordLocksMergeSplitAndRelease) {
  LockManager& m = LockManager::Get();
  int owner_a, owner_b;
  RecordLock a{0, 100, false, &owner_a, 1, false};
  RecordLock b{50, 60, false, &owner_b, 2, false};
  EXPECT_EQ(m.SetRecordLock(nullptr, 77, 1, a, F_WRLCK, false), 0);
  EXPECT_EQ(m.SetRecordLock(nullptr, 77, 1, b, F_RDLCK, false), -EAGAIN);
  RecordLock hole{40, 70, false, &owner_a, 1, false};
  EXPECT_EQ(m.SetRecordLock(nullptr, 77, 1, hole, F_UNLCK, false), 0);
  EXPECT_EQ(m.SetRecordLock(nullptr, 77, 1, b, F_WRLCK, false), 0);
  RecordLock conflict;
  RecordLock probe{0, 10, true, &owner_b, 2, false};
  ASSERT_TRUE(m.TestRecordLock(77, 1, probe, &conflict));
  EXPECT_EQ(conflict.start, 0u);
  EXPECT_EQ(conflict.end, 40u);
  m.ReleaseOwner(&owner_a);
  EXPECT_FALSE(m.TestRecordLock(77, 1, probe, &conflict));
  m.ReleaseOwner(&owner_b);
}

TEST(LockManagerTest, FlockWaiterWakesWhenReleased) {
  LockManager& m = LockManager::Get();
  int a, b;
  ASSERT_EQ(m.Flock(nullptr, 78, 1, &a, LOCK_EX, false), 0);
  EXPECT_EQ(m.Flock(nullptr, 78, 1, &b, LOCK_SH, true), -EWOULDBLOCK);
  std::thread t([&] { EXPECT_EQ(m.Flock(nullptr, 78, 1, &b, LOCK_SH, false), 0); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(m.Flock(nullptr, 78, 1, &a, LOCK_UN, false), 0);
  t.join();
  m.ReleaseDescription(78, 1, &b);
}

TEST(WaitQueueTest, NotifiesMatchingEntries) {
  WaitQueue q;
  TaskWaiter in(kEventIn), out(kEventOut);
  q.Register(&in);
  q.Register(&out);
  q.Notify(kEventOut);
  EXPECT_FALSE(in.Fired());
  EXPECT_TRUE(out.Fired());
  q.Notify(kEventHup);  // always delivered
  EXPECT_TRUE(in.Fired());
  q.Unregister(&in);
  q.Unregister(&out);
  EXPECT_TRUE(q.empty());
  TaskWaiter w;
  EXPECT_EQ(w.Wait(nullptr, absl::Now() + absl::Milliseconds(10)), -ETIMEDOUT);
}

TEST(TimersTest, RunAndCancel) {
  absl::Mutex mu;
  int ran = 0;
  Timers::Id keep = Timers::At(absl::Now() + absl::Milliseconds(5), [&] {
    absl::MutexLock l(&mu);
    ++ran;
  });
  Timers::Id drop = Timers::At(absl::Now() + absl::Seconds(10), [&] {
    absl::MutexLock l(&mu);
    ran += 100;
  });
  EXPECT_TRUE(Timers::Cancel(drop));
  absl::MutexLock l(&mu);
  mu.AwaitWithTimeout(absl::Condition(
                          +[](int* r) { return *r > 0; }, &ran),
                      absl::Seconds(5));
  EXPECT_EQ(ran, 1);
  EXPECT_FALSE(Timers::Cancel(keep));
}

}  // namespace
}  // namespace sentry::vfs
