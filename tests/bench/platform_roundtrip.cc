// platform_roundtrip [N]: the platform's own cost of one trapped syscall,
// without the sentry: a tiny loop (`mov eax, 110; syscall; jmp`) runs in a
// fresh address space and the caller answers each getppid event with
// SetReturn + Switch. Prints one line per platform, ptrace and seccomp
// alternating over 3 rounds: "platform=P ns_per_round_trip=X".
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
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

int main(int argc, char** argv) {
  const int n = argc > 1 ? atoi(argv[1]) : 20000;
  for (int round = 0; round < 3; round++) {
    for (const char* name : {"ptrace", "seccomp"}) {
      printf("platform=%s ns_per_round_trip=%.0f\n", name, RoundTrip(name, n));
      fflush(stdout);
    }
  }
  return 0;
}
