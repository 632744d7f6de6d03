// platform_roundtrip [N]: the platform's own cost of one trapped syscall,
// without the sentry: a tiny loop (`mov eax, 110; syscall; jmp`) runs in a
// fresh address space and the caller answers each getppid event with
// SetReturn + Switch. Prints one line per platform, ptrace and seccomp
// alternating over 3 rounds: "platform=P ns_per_round_trip=X".
// platform_roundtrip --lifecycle: start, fork and new-thread costs instead.
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "platform/platform.h"

namespace {

double RoundTrip(const std::string& name, int n) {
  auto p = platform::Platform::Create(name);
  if (!p.ok()) return -1;
  auto ns = (*p)->NewAddressSpace();
  if (!ns.ok()) return -1;
  const uint64_t code = 0x100000;
  if (ns->as->Map(code, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC,
                  MAP_PRIVATE | MAP_FIXED) != static_cast<int64_t>(code))
    return -1;
  const uint8_t loop[] = {0xb8, 0x6e, 0x00, 0x00, 0x00,  // mov eax, 110
                          0x0f, 0x05,                    // syscall
                          0xeb, 0xf7};                   // jmp loop
  ns->as->Write(code, loop, sizeof(loop));
  auto& r = ns->ctx->MutableRegs();
  r.rip = code;
  r.rsp = code + 0x1000;
  for (int i = 0; i < 100; i++) ns->ctx->Switch();  // warm up
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; i++) {
    platform::Event ev = ns->ctx->Switch();
    if (ev.kind != platform::Event::Kind::kSyscall) return -1;
    ns->ctx->SetReturn(1);
  }
  const auto t1 = std::chrono::steady_clock::now();
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / n;
}

}  // namespace

// Microseconds per NewAddressSpace, per Fork+AdoptThread and per
// NewThread+AdoptThread (contexts released each time).
void Lifecycle(const std::string& name) {
  auto p = platform::Platform::Create(name);
  if (!p.ok()) {
    printf("platform=%s error=%s\n", name.c_str(),
           std::string(p.status().message()).c_str());
    return;
  }
  auto us = [](auto t0) {
    return std::chrono::duration<double, std::micro>(
               std::chrono::steady_clock::now() - t0).count();
  };
  constexpr int kN = 20;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kN; i++) (void)(*p)->NewAddressSpace();
  const double new_as = us(t0) / kN;
  auto ns = (*p)->NewAddressSpace();
  if (!ns.ok()) {
    printf("platform=%s error=%s\n", name.c_str(),
           std::string(ns.status().message()).c_str());
    return;
  }
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kN; i++) {
    auto f = ns->as->Fork();
    if (!f.ok()) {
      printf("platform=%s fork error=%s\n", name.c_str(),
             std::string(f.status().message()).c_str());
      return;
    }
    (void)(*p)->AdoptThread(f->as, f->thread);
  }
  const double fork = us(t0) / kN;
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kN; i++) {
    auto t = ns->as->NewThread();
    if (!t.ok()) {
      printf("platform=%s thread error=%s\n", name.c_str(),
             std::string(t.status().message()).c_str());
      return;
    }
    // Adopted by another thread, as the kernel does (one context of an
    // address space per sentry thread).
    std::thread([&] { (void)(*p)->AdoptThread(ns->as, *t); }).join();
  }
  const double thread = us(t0) / kN;
  printf("platform=%s new_address_space_us=%.0f fork_us=%.0f thread_us=%.0f\n",
         name.c_str(), new_as, fork, thread);
  fflush(stdout);
}

int main(int argc, char** argv) {
  // PLATFORMS=seccomp (comma-separated) limits the run to those platforms.
  std::vector<std::string> names = {"ptrace", "seccomp"};
  if (const char* only = getenv("PLATFORMS"); only && *only) {
    names.clear();
    std::string s = only;
    for (size_t at = 0; at <= s.size();) {
      size_t comma = s.find(',', at);
      if (comma == std::string::npos) comma = s.size();
      if (comma > at) names.push_back(s.substr(at, comma - at));
      at = comma + 1;
    }
  }
  if (argc > 1 && std::string(argv[1]) == "--lifecycle") {
    for (int round = 0; round < 2; round++) {
      for (const auto& name : names) Lifecycle(name);
    }
    return 0;
  }
  const int n = argc > 1 ? atoi(argv[1]) : 20000;
  for (int round = 0; round < 3; round++) {
    for (const auto& name : names) {
      printf("platform=%s ns_per_round_trip=%.0f\n", name.c_str(),
             RoundTrip(name, n));
      fflush(stdout);
    }
  }
  return 0;
}
