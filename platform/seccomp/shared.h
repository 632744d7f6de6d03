/* The memory the seccomp-trap stub shares with the sentry, and the messages
 * of its start-up handshake. Plain C: the stub (freestanding C) and the
 * sentry (C++) both include it.
 *
 * The shared region is one memfd per stub process, mapped MAP_SHARED by the
 * stub at an address aligned to its size (so the seccomp filter can narrow
 * futex(2) to it with one masked compare) and by the sentry anywhere. It is
 * cut into fixed slots, one per stub thread; the thread's alternate signal
 * stack is the tail of its slot, so the SIGSYS handler finds its slot by
 * masking its stack pointer.
 *
 * Everything here is writable by every application thread of the stub: the
 * sentry treats every byte it reads back as hostile input. */
#ifndef PLATFORM_SECCOMP_SHARED_H_
#define PLATFORM_SECCOMP_SHARED_H_

#include <stdint.h>

#define SC_REGION_SIZE (32ul << 20) /* 32 MiB, also the region's alignment */
#define SC_SLOT_SIZE (32ul << 10)   /* one thread */
#define SC_MAX_SLOTS (SC_REGION_SIZE / SC_SLOT_SIZE)
/* Slot layout: control block (below SC_SCRATCH_OFF), a small first stack
 * for new threads (growing down from SC_INIT_STACK_TOP), then the
 * alternate signal stack. */
#define SC_SCRATCH_OFF 1024ul
#define SC_SCRATCH_SIZE 1024ul
#define SC_INIT_STACK_TOP 4096ul
#define SC_ALTSTACK_OFF 4096ul
#define SC_ALTSTACK_SIZE (SC_SLOT_SIZE - SC_ALTSTACK_OFF)

/* Commands (sc_slot.op), sentry -> stub. */
#define SC_OP_RESUME 1       /* return from the handler into the app */
#define SC_OP_SYSCALL 2      /* run syscall nr(args) in the stub */
#define SC_OP_CLONE_THREAD 3 /* args[0]: first stack of the new thread */
#define SC_OP_FORK 4         /* the child's region memfd is on the channel */
#define SC_OP_EXIT 5         /* this thread ends */
#define SC_OP_MAPFILE 6      /* recvmsg an fd, mmap(args[0..3], fd, args[4]),
                                close it: one hand-off */

/* sc_slot.flags for SC_OP_RESUME. */
#define SC_FLAG_SET_FS 1u
#define SC_FLAG_SET_GS 2u
/* sc_slot.features, written by the sentry. */
#define SC_FEATURE_FSGSBASE 1u
#define SC_FEATURE_UNDUMPABLE 2u /* slot 0 at start: PR_SET_DUMPABLE 0 */

/* Host signal the sentry sends a stub thread to interrupt it. */
#define SC_INTERRUPT_SIGNAL 12 /* SIGUSR2 */

struct sc_slot {
  /* Hand-off words (futexes). The sentry bumps sentry_seq to post a
   * command; the stub answers by setting stub_seq to that value (a result,
   * or for SC_OP_RESUME the next event). *_sleeping: that side is (about
   * to be) asleep in FUTEX_WAIT and wants a wake-up. */
  uint32_t sentry_seq;
  uint32_t stub_seq;
  uint32_t sentry_sleeping;
  uint32_t stub_sleeping;
  /* Command. */
  uint32_t op;
  uint32_t flags;
  uint64_t nr;
  uint64_t args[6];
  uint64_t fs_base_in;
  uint64_t gs_base_in;
  uint32_t features;
  uint32_t spin_iterations; /* pause iterations the stub spins before
                               FUTEX_WAIT (0: it sleeps at once) */
  /* Answer. */
  int64_t result;
  uint64_t uc_addr; /* stub address of the handler's ucontext */
  uint64_t fs_base;
  uint64_t gs_base;
  int32_t signo;
  uint32_t pad;
  uint8_t siginfo[128];
};

/* Start-up handshake over the control channel (fd 3), before the filter:
 * the sentry sends the region memfd (SCM_RIGHTS), the stub answers with a
 * hello, the sentry sends both filters, the stub installs them and traps. */
#define SC_HELLO_MAGIC 0x5343484cu  /* "SCHL" */
#define SC_FILTER_MAGIC 0x53434654u /* "SCFT" */
#define SC_MAX_SITES 8
/* The only sites that may clone (sc_hello.sites indexes): elsewhere a
 * clone would hand the application a host thread or process running its
 * own code. */
#define SC_SITE_CLONE_THREAD 2
#define SC_SITE_FORK 3
struct sc_hello {
  uint32_t magic;
  uint32_t nsites;
  uint64_t region; /* where the stub mapped the region */
  uint64_t sites[SC_MAX_SITES]; /* address after each syscall instruction */
};
struct sc_filters {
  uint32_t magic;
  uint16_t len_ip;     /* instructions of the instruction-pointer filter */
  uint16_t len_policy; /* then of the libseccomp policy */
  /* struct sock_filter insns[len_ip + len_policy] follow */
};
#define SC_MAX_FILTER_INSNS 2048

#endif /* PLATFORM_SECCOMP_SHARED_H_ */
