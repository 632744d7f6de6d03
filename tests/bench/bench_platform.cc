// bench_platform: the costs behind fork and exec on a platform, measured on
// the platform alone (no sentry): starting an address space (a stub), forking
// one, one injected address-space operation, and a host-file mapping.
// Runs natively only (it is the tracer). Usage: bench_platform [gbench flags].
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "benchmark/benchmark.h"
#include "platform/platform.h"

namespace {

std::unique_ptr<platform::Platform> MakePlatform() {
  auto p = platform::Platform::Create("ptrace");
  if (!p.ok()) return nullptr;
  return std::move(*p);
}

void BM_NewAddressSpace(benchmark::State& state) {
  auto p = MakePlatform();
  for (auto _ : state) {
    auto ns = p->NewAddressSpace();
    if (!ns.ok()) {
      state.SkipWithError(std::string(ns.status().message()).c_str());
      return;
    }
  }
}
BENCHMARK(BM_NewAddressSpace)->UseRealTime();

void BM_Fork(benchmark::State& state) {
  auto p = MakePlatform();
  auto ns = p->NewAddressSpace();
  if (!ns.ok()) return state.SkipWithError("no address space");
  for (auto _ : state) {
    auto f = ns->as->Fork();
    if (!f.ok()) return state.SkipWithError("fork failed");
    auto ctx = p->AdoptThread(f->as, f->thread);
    if (!ctx.ok()) return state.SkipWithError("adopt failed");
  }
}
BENCHMARK(BM_Fork)->UseRealTime();

void BM_MapUnmap(benchmark::State& state) {
  auto p = MakePlatform();
  auto ns = p->NewAddressSpace();
  if (!ns.ok()) return state.SkipWithError("no address space");
  for (auto _ : state) {
    ns->as->Map(0x100000, 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED);
    ns->as->Unmap(0x100000, 4096);
  }
}
BENCHMARK(BM_MapUnmap)->UseRealTime();

void BM_MapFile(benchmark::State& state) {
  auto p = MakePlatform();
  auto ns = p->NewAddressSpace();
  if (!ns.ok()) return state.SkipWithError("no address space");
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  for (auto _ : state) {
    if (ns->as->MapFile(0x100000, 4096, PROT_READ, MAP_PRIVATE, fd, 0) < 0)
      return state.SkipWithError("MapFile failed");
  }
  close(fd);
}
BENCHMARK(BM_MapFile)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
