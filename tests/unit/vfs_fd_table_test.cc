// FdTable and pipe buffer tests.
#include <fcntl.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "sentry/fs/pipe/pipe.h"
#include "sentry/fs/pipe/pipe_file.h"
#include "sentry/vfs/fd_table.h"
#include "sentry/vfs/file_description.h"

namespace sentry::vfs {
namespace {

std::shared_ptr<FileDescription> NewFile() { return fs::NewPipe(0).first; }

TEST(FdTableTest, LowestFreeAndLimits) {
  FdTable t;
  auto f = NewFile();
  EXPECT_EQ(t.Install(f, false, 4), 0);
  EXPECT_EQ(t.Install(f, false, 4), 1);
  EXPECT_EQ(t.Install(f, false, 4), 2);
  EXPECT_EQ(t.Close(1), 0);
  EXPECT_EQ(t.Close(1), -EBADF);
  EXPECT_EQ(t.Install(f, false, 4), 1);
  EXPECT_EQ(t.Install(f, false, 4), 3);
  EXPECT_EQ(t.Install(f, false, 4), -EMFILE);
  EXPECT_EQ(t.Install(f, false, 100, 10), 10);
  EXPECT_EQ(t.InstallAt(4, f, false, 4), -EBADF);
  EXPECT_EQ(t.InstallAt(-1, f, false, 4), -EBADF);
  EXPECT_EQ(t.Count(), 5u);
  EXPECT_EQ(t.Fds(), (std::vector<int>{0, 1, 2, 3, 10}));
  EXPECT_EQ(t.Get(5), nullptr);
  EXPECT_EQ(t.Get(-1), nullptr);
  EXPECT_EQ(t.Get(10), f);
}

TEST(FdTableTest, DupAndCloexec) {
  FdTable t;
  auto a = NewFile();
  auto b = NewFile();
  ASSERT_EQ(t.Install(a, true, 64), 0);
  bool cloexec = false;
  EXPECT_EQ(t.Get(0, &cloexec), a);
  EXPECT_TRUE(cloexec);
  EXPECT_EQ(t.Dup(0, 0, false, 64), 1);
  EXPECT_EQ(t.Get(1, &cloexec), a);
  EXPECT_FALSE(cloexec);
  EXPECT_EQ(t.Dup(0, 20, true, 64), 20);
  EXPECT_EQ(t.Dup(7, 0, false, 64), -EBADF);
  ASSERT_EQ(t.Install(b, false, 64), 2);
  EXPECT_EQ(t.Dup2(2, 1, false, 64), 1);
  EXPECT_EQ(t.Get(1), b);
  EXPECT_EQ(t.Dup2(2, 64, false, 64), -EBADF);
  EXPECT_EQ(t.SetCloseOnExec(1, true), 0);
  EXPECT_EQ(t.SetCloseOnExec(9, true), -EBADF);
  t.CloseOnExec();
  EXPECT_EQ(t.Fds(), (std::vector<int>{2}));
}

TEST(FdTableTest, ForkIsIndependent) {
  FdTable t;
  auto f = NewFile();
  ASSERT_EQ(t.Install(f, true, 64), 0);
  ASSERT_EQ(t.Install(f, false, 64), 1);
  auto copy = t.Fork();
  EXPECT_EQ(copy->Close(0), 0);
  EXPECT_EQ(t.Get(0), f);
  bool cloexec = false;
  EXPECT_EQ(copy->Get(1, &cloexec), f);
  EXPECT_FALSE(cloexec);
  EXPECT_EQ(copy->Install(f, false, 64), 0);
}

TEST(FdTableTest, CloseRange) {
  FdTable t;
  auto f = NewFile();
  for (int i = 0; i < 6; ++i) ASSERT_EQ(t.Install(f, false, 64), i);
  t.CloseRange(1, 2, false);
  t.CloseRange(4, ~0u, true);
  EXPECT_EQ(t.Fds(), (std::vector<int>{0, 3, 4, 5}));
  bool cloexec = false;
  t.Get(5, &cloexec);
  EXPECT_TRUE(cloexec);
  t.CloseRange(0, ~0u, false);
  EXPECT_EQ(t.Count(), 0u);
}

TEST(PipeTest, ReadWriteEofEpipe) {
  fs::Pipe p;
  p.AddReader();
  p.AddWriter();
  char buf[16];
  EXPECT_EQ(p.Read(nullptr, buf, sizeof(buf), true), -EAGAIN);
  EXPECT_EQ(p.Write(nullptr, "abc", 3, false), 3);
  EXPECT_EQ(p.Available(), 3u);
  EXPECT_EQ(p.Read(nullptr, buf, 2, false), 2);
  EXPECT_EQ(p.Read(nullptr, buf, sizeof(buf), false), 1);
  EXPECT_EQ(buf[0], 'c');
  EXPECT_EQ(p.Write(nullptr, "xy", 2, false), 2);
  p.RemoveWriter();
  // Buffered data is still read after the last writer leaves, then EOF.
  EXPECT_EQ(p.Read(nullptr, buf, sizeof(buf), false), 2);
  EXPECT_EQ(p.Read(nullptr, buf, sizeof(buf), false), 0);
  p.AddWriter();
  p.RemoveReader();
  EXPECT_EQ(p.Write(nullptr, "z", 1, false), -EPIPE);
  EXPECT_EQ(p.Write(nullptr, "z", 0, false), 0);
}

TEST(PipeTest, CapacityAndAtomicity) {
  fs::Pipe p;
  p.AddReader();
  p.AddWriter();
  std::vector<char> big(fs::kPipeCapacity + 100, 'q');
  // Non-blocking: a large write is partial, a small one all-or-nothing.
  EXPECT_EQ(p.Write(nullptr, big.data(), big.size(), true),
            static_cast<int64_t>(fs::kPipeCapacity));
  EXPECT_EQ(p.Write(nullptr, "a", 1, true), -EAGAIN);
  std::vector<char> out(100);
  EXPECT_EQ(p.Read(nullptr, out.data(), out.size(), false), 100);
  // A partly read page keeps its slot (Linux's page ring).
  EXPECT_EQ(p.Write(nullptr, big.data(), fs::kPipeBuf, true), -EAGAIN);
  EXPECT_EQ(p.Write(nullptr, big.data(), 100, true), -EAGAIN);
  EXPECT_EQ(p.Read(nullptr, out.data(), 100, false), 100);  // not a whole page
  std::vector<char> rest(fs::kPipeBuf - 200);
  EXPECT_EQ(p.Read(nullptr, rest.data(), rest.size(), false),
            static_cast<int64_t>(rest.size()));
  EXPECT_EQ(p.Write(nullptr, big.data(), 100, true), 100);
}

TEST(PipeTest, BlockingReadWokenByWriter) {
  fs::Pipe p;
  p.AddReader();
  p.AddWriter();
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    p.Write(nullptr, "late", 4, false);
    p.RemoveWriter();
  });
  char buf[8];
  EXPECT_EQ(p.Read(nullptr, buf, sizeof(buf), false), 4);
  EXPECT_EQ(p.Read(nullptr, buf, sizeof(buf), false), 0);
  writer.join();
}

TEST(PipeTest, BlockingWriteLargerThanCapacity) {
  fs::Pipe p;
  p.AddReader();
  p.AddWriter();
  const size_t total = 3 * fs::kPipeCapacity + 7;
  std::thread reader([&] {
    std::vector<char> buf(5000);
    size_t got = 0;
    while (got < total) {
      int64_t n = p.Read(nullptr, buf.data(), buf.size(), false);
      ASSERT_GT(n, 0);
      got += static_cast<size_t>(n);
    }
  });
  std::vector<char> data(total, 'd');
  EXPECT_EQ(p.Write(nullptr, data.data(), data.size(), false),
            static_cast<int64_t>(total));
  reader.join();
}

TEST(PipeTest, FileEndsCountReadersAndWriters) {
  auto [r, w] = fs::NewPipe(O_NONBLOCK);
  auto* rp = static_cast<fs::PipeFile*>(r.get());
  EXPECT_EQ(rp->pipe().readers(), 1);
  EXPECT_EQ(rp->pipe().writers(), 1);
  EXPECT_TRUE(r->IsReadable());
  EXPECT_FALSE(r->IsWritable());
  EXPECT_TRUE(w->IsWritable());
  EXPECT_EQ(r->status_flags(), O_RDONLY | O_NONBLOCK);
  EXPECT_EQ(w->status_flags(), O_WRONLY | O_NONBLOCK);
  char c;
  EXPECT_EQ(r->PRead(&c, 1, 0), -ESPIPE);
  EXPECT_EQ(r->Seek(0, SEEK_SET), -ESPIPE);
  w.reset();
  EXPECT_EQ(rp->pipe().writers(), 0);
  EXPECT_EQ(rp->Path().substr(0, 6), "pipe:[");
}

}  // namespace
}  // namespace sentry::vfs
