/* The seccomp-trap stub: the host process an application address space
 * lives in when the sentry runs with --platform=seccomp.
 *
 * It starts (from the launcher, with only its control channel as fd 3),
 * maps the shared region the sentry sends it, installs its signal handlers
 * and the two seccomp filters the sentry built for it, and traps. From then
 * on every thread of the stub is either running application code or sitting
 * in stub_handler, reporting an event in its slot and carrying out the
 * sentry's commands until told to resume.
 *
 * Freestanding: no libc, no relocations, no globals. Nothing here is
 * trusted by the sentry (the application can write the slots, and jump to
 * any instruction of this file); the filters are what bound it. */
#include <stddef.h>
#include <stdint.h>

#include "platform/seccomp/shared.h"

#define SYS_close 3
#define SYS_mmap 9
#define SYS_munmap 11
#define SYS_rt_sigaction 13
#define SYS_rt_sigprocmask 14
#define SYS_getpid 39
#define SYS_sendmsg 46
#define SYS_recvmsg 47
#define SYS_exit 60
#define SYS_sigaltstack 131
#define SYS_prctl 157
#define SYS_arch_prctl 158
#define SYS_futex 202
#define SYS_seccomp 317

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGSEGV 11
#define SIGCHLD 17
#define SIGSYS 31
#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTORER 0x04000000
#define SIG_IGN 1
#define SIG_SETMASK 2
#define PR_SET_NO_NEW_PRIVS 38
#define PR_SET_DUMPABLE 4
#define SECCOMP_SET_MODE_FILTER 1
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define PROT_READ 1
#define PROT_WRITE 2
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define MSG_CMSG_CLOEXEC 0x40000000
#define MSG_DONTWAIT 0x40

long stub_syscall6(long nr, long a0, long a1, long a2, long a3, long a4,
                   long a5);
void stub_restorer(void);
long stub_clone_thread(uint64_t first_stack);
long stub_clone_fork(long fd, uint64_t region);
void stub_thread_main(struct sc_slot* s) __attribute__((noreturn));
void stub_main(uint64_t* sp) __attribute__((noreturn));
extern char sc_site_syscall[], sc_site_sigreturn[], sc_site_clone_thread[],
    sc_site_fork[], sc_site_fork_mmap[], sc_site_fork_close[],
    sc_site_fork_exit[];

#define sys0(n) stub_syscall6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) stub_syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) stub_syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) \
  stub_syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) \
  stub_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* The compiler may emit calls to these for struct copies. */
void* memcpy(void* d, const void* s, size_t n) {
  volatile unsigned char* dd = d;
  const unsigned char* ss = s;
  while (n--) *dd++ = *ss++;
  return d;
}
void* memset(void* d, int c, size_t n) {
  volatile unsigned char* dd = d;
  while (n--) *dd++ = (unsigned char)c;
  return d;
}

struct k_sigaction {
  uint64_t handler;
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};
struct k_stack {
  uint64_t sp;
  int32_t flags;
  int32_t pad;
  uint64_t size;
};
struct k_iovec {
  void* base;
  uint64_t len;
};
struct k_msghdr {
  void* name;
  uint32_t namelen;
  uint32_t pad0;
  struct k_iovec* iov;
  uint64_t iovlen;
  void* control;
  uint64_t controllen;
  int32_t flags;
  int32_t pad1;
};
struct k_cmsghdr {
  uint64_t len;
  int32_t level;
  int32_t type;
};
struct k_sock_fprog {
  uint16_t len;
  uint16_t pad[3];
  void* filter;
};

static inline uint32_t load32(volatile uint32_t* p) {
  return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static inline void store32(volatile uint32_t* p, uint32_t v) {
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}

/* Answers the sentry's command `seq` (or reports an event).
 * Dekker-style: publish, full fence, then look whether the sentry sleeps. */
static void post(struct sc_slot* s, uint32_t seq) {
  store32(&s->stub_seq, seq);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  if (load32(&s->sentry_sleeping))
    sys3(SYS_futex, &s->stub_seq, FUTEX_WAKE, 1);
}

/* Waits until the sentry posts a command other than `seq`: spins first,
 * for the budget the sentry set (a fixed one: see kSpinNs in
 * seccomp_platform.cc; the sentry keeps this thread on another CPU than
 * its own while both spin), then sleeps on the futex. */
static uint32_t wait_command(struct sc_slot* s, uint32_t seq) {
  const uint32_t budget = s->spin_iterations;
  for (uint32_t i = 0; i < budget; i++) {
    uint32_t v = load32(&s->sentry_seq);
    if (v != seq) return v;
    __builtin_ia32_pause();
  }
  for (;;) {
    store32(&s->stub_sleeping, 1);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint32_t v = load32(&s->sentry_seq);
    if (v != seq) {
      store32(&s->stub_sleeping, 0);
      return v;
    }
    sys4(SYS_futex, &s->sentry_seq, FUTEX_WAIT, seq, 0);
  }
}

/* Receives the one fd the sentry just sent on the channel, or -errno. */
static long receive_fd(void) {
  char byte;
  struct k_iovec iov = {&byte, 1};
  uint64_t control[4] = {0, 0, 0, 0};
  struct k_msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.iov = &iov;
  msg.iovlen = 1;
  msg.control = control;
  msg.controllen = sizeof(control);
  long r = sys3(SYS_recvmsg, 3, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (r < 0) return r;
  struct k_cmsghdr* c = (struct k_cmsghdr*)control;
  if (msg.controllen < sizeof(*c) + sizeof(int) || c->level != SOL_SOCKET ||
      c->type != SCM_RIGHTS)
    return -5; /* EIO */
  return *(int*)(c + 1);
}

static inline uint64_t read_fs(uint32_t features) {
  uint64_t v = 0;
  if (features & SC_FEATURE_FSGSBASE)
    __asm__ volatile("rdfsbase %0" : "=r"(v));
  else
    sys2(SYS_arch_prctl, ARCH_GET_FS, &v);
  return v;
}
static inline uint64_t read_gs(uint32_t features) {
  uint64_t v = 0;
  if (features & SC_FEATURE_FSGSBASE)
    __asm__ volatile("rdgsbase %0" : "=r"(v));
  else
    sys2(SYS_arch_prctl, ARCH_GET_GS, &v);
  return v;
}

/* SIGSYS, the faults and SC_INTERRUPT_SIGNAL all land here, on the
 * thread's alternate stack (inside its slot), with every signal blocked. */
static void stub_handler(int sig, void* info, void* uc) {
  uint64_t sp;
  __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
  struct sc_slot* s = (struct sc_slot*)(sp & ~(SC_SLOT_SIZE - 1));
  const uint32_t features = s->features;
  s->signo = sig;
  memcpy(s->siginfo, info, sizeof(s->siginfo));
  s->uc_addr = (uint64_t)uc;
  s->fs_base = read_fs(features);
  s->gs_base = read_gs(features);
  uint32_t seq = load32(&s->sentry_seq);
  for (;;) {
    post(s, seq);
    seq = wait_command(s, seq);
    switch (s->op) {
      case SC_OP_RESUME: {
        const uint32_t flags = s->flags;
        if (flags & SC_FLAG_SET_FS) {
          uint64_t v = s->fs_base_in;
          if (features & SC_FEATURE_FSGSBASE)
            __asm__ volatile("wrfsbase %0" ::"r"(v));
          else
            sys2(SYS_arch_prctl, ARCH_SET_FS, v);
        }
        if (flags & SC_FLAG_SET_GS) {
          uint64_t v = s->gs_base_in;
          if (features & SC_FEATURE_FSGSBASE)
            __asm__ volatile("wrgsbase %0" ::"r"(v));
          else
            sys2(SYS_arch_prctl, ARCH_SET_GS, v);
        }
        return;
      }
      case SC_OP_SYSCALL:
        s->result = stub_syscall6((long)s->nr, (long)s->args[0],
                                  (long)s->args[1], (long)s->args[2],
                                  (long)s->args[3], (long)s->args[4],
                                  (long)s->args[5]);
        break;
      case SC_OP_CLONE_THREAD:
        s->result = stub_clone_thread(s->args[0]);
        break;
      case SC_OP_FORK: {
        long fd = receive_fd();
        if (fd < 0) {
          s->result = fd;
          break;
        }
        s->result = stub_clone_fork(fd, sp & ~(SC_REGION_SIZE - 1));
        sys1(SYS_close, fd);
        break;
      }
      case SC_OP_MAPFILE: {
        long fd = receive_fd();
        if (fd < 0) {
          s->result = fd;
          break;
        }
        s->result = stub_syscall6(SYS_mmap, (long)s->args[0], (long)s->args[1],
                                  (long)s->args[2],
                                  (long)s->args[3] | MAP_FIXED, fd,
                                  (long)s->args[4]);
        sys1(SYS_close, fd);
        break;
      }
      case SC_OP_EXIT:
        for (;;) sys1(SYS_exit, 0);
      default:
        s->result = -38; /* ENOSYS */
        break;
    }
  }
}

static void install_handlers(void) {
  struct k_sigaction act;
  act.handler = (uint64_t)stub_handler;
  act.flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER;
  act.restorer = (uint64_t)stub_restorer;
  act.mask = ~0ull;
  sys4(SYS_rt_sigaction, SIGSYS, &act, 0, 8);
  sys4(SYS_rt_sigaction, SIGSEGV, &act, 0, 8);
  sys4(SYS_rt_sigaction, SIGBUS, &act, 0, 8);
  sys4(SYS_rt_sigaction, SIGFPE, &act, 0, 8);
  sys4(SYS_rt_sigaction, SIGILL, &act, 0, 8);
  sys4(SYS_rt_sigaction, SIGTRAP, &act, 0, 8);
  sys4(SYS_rt_sigaction, SC_INTERRUPT_SIGNAL, &act, 0, 8);
  struct k_sigaction ign = {SIG_IGN, 0, 0, 0};
  sys4(SYS_rt_sigaction, SIGCHLD, &ign, 0, 8);
}

/* Every new stub thread (and the first, and a fork child's) ends up here,
 * on a small stack inside its slot: it arms its alternate stack, unblocks
 * signals and traps; the first event tells the sentry it is parked. */
void stub_thread_main(struct sc_slot* s) {
  struct k_stack ss;
  ss.sp = (uint64_t)s + SC_ALTSTACK_OFF;
  ss.flags = 0;
  ss.pad = 0;
  ss.size = SC_ALTSTACK_SIZE;
  sys2(SYS_sigaltstack, &ss, 0);
  uint64_t none = 0;
  sys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
  for (;;) sys0(SYS_getpid); /* not allowed from here either: traps */
}

static void die(void) {
  for (;;) sys1(SYS_exit, 127);
}

void stub_main(uint64_t* sp) {
  (void)sp;
  /* 1. The region's memfd arrives on the channel. */
  char byte;
  struct k_iovec iov = {&byte, 1};
  uint64_t control[4] = {0, 0, 0, 0};
  struct k_msghdr msg;
  memset(&msg, 0, sizeof(msg));
  msg.iov = &iov;
  msg.iovlen = 1;
  msg.control = control;
  msg.controllen = sizeof(control);
  if (sys3(SYS_recvmsg, 3, &msg, MSG_CMSG_CLOEXEC) < 0) die();
  struct k_cmsghdr* c = (struct k_cmsghdr*)control;
  if (c->level != SOL_SOCKET || c->type != SCM_RIGHTS) die();
  const int fd = *(int*)(c + 1);

  /* 2. Map it at an address aligned to its size. */
  long p = stub_syscall6(SYS_mmap, 0, 2 * SC_REGION_SIZE, 0,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p < 0 && p > -4096) die();
  const uint64_t region =
      ((uint64_t)p + SC_REGION_SIZE - 1) & ~(SC_REGION_SIZE - 1);
  if (stub_syscall6(SYS_mmap, (long)region, SC_REGION_SIZE,
                    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
                    0) != (long)region)
    die();
  if (region > (uint64_t)p) sys2(SYS_munmap, p, region - (uint64_t)p);
  const uint64_t end = (uint64_t)p + 2 * SC_REGION_SIZE;
  if (end > region + SC_REGION_SIZE)
    sys2(SYS_munmap, region + SC_REGION_SIZE, end - region - SC_REGION_SIZE);
  sys1(SYS_close, fd);
  /* execve made us dumpable again; the sentry says whether it can still
   * reach an undumpable stub (it owns our user namespace, or has
   * CAP_SYS_PTRACE). */
  if (((struct sc_slot*)region)->features & SC_FEATURE_UNDUMPABLE)
    sys2(SYS_prctl, PR_SET_DUMPABLE, 0);

  /* 3. Handlers, then the hello. */
  install_handlers();
  struct sc_hello hello;
  memset(&hello, 0, sizeof(hello));
  hello.magic = SC_HELLO_MAGIC;
  hello.region = region;
  hello.sites[0] = (uint64_t)sc_site_syscall;
  hello.sites[1] = (uint64_t)sc_site_sigreturn;
  hello.sites[2] = (uint64_t)sc_site_clone_thread;
  hello.sites[3] = (uint64_t)sc_site_fork;
  hello.sites[4] = (uint64_t)sc_site_fork_mmap;
  hello.sites[5] = (uint64_t)sc_site_fork_close;
  hello.sites[6] = (uint64_t)sc_site_fork_exit;
  hello.nsites = 7;
  struct k_iovec hiov = {&hello, sizeof(hello)};
  memset(&msg, 0, sizeof(msg));
  msg.iov = &hiov;
  msg.iovlen = 1;
  if (sys3(SYS_sendmsg, 3, &msg, 0) != (long)sizeof(hello)) die();

  /* 4. The filters. */
  uint64_t buf[SC_MAX_FILTER_INSNS + 1];
  struct k_iovec fiov = {buf, sizeof(buf)};
  memset(&msg, 0, sizeof(msg));
  msg.iov = &fiov;
  msg.iovlen = 1;
  long n = sys3(SYS_recvmsg, 3, &msg, 0);
  const struct sc_filters* f = (const struct sc_filters*)buf;
  if (n < (long)sizeof(*f) || f->magic != SC_FILTER_MAGIC ||
      (uint64_t)n != sizeof(*f) + 8ull * (f->len_ip + f->len_policy))
    die();
  uint64_t* insns = buf + 1;
  struct k_sock_fprog ip = {f->len_ip, {0, 0, 0}, insns};
  struct k_sock_fprog policy = {f->len_policy, {0, 0, 0}, insns + f->len_ip};
  if (sys2(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1) != 0) die();
  /* The instruction-pointer filter first: the policy's own installation
   * must pass it (it comes from a site). */
  if (sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &ip) != 0) die();
  if (sys3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &policy) != 0) die();

  /* 5. Park this thread on slot 0, from slot 0's first stack (the policy
   * only lets sigaltstack name memory of the region). */
  __asm__ volatile("mov %0, %%rsp\n\tcall stub_thread_main\n\tud2"
                   :
                   : "r"(region + SC_INIT_STACK_TOP), "D"(region)
                   : "memory");
  __builtin_unreachable();
}
