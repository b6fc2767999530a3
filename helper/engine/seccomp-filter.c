/* The default seccomp filter of the container's command, with libseccomp.
 *
 * Docker's default profile (moby profiles/seccomp/default.json) is an allow
 * list: a call not on it fails with EPERM, and some calls are allowed only
 * when the container keeps a capability. This filter denies the same calls
 * from the other side: it allows everything and lists what Docker's
 * profile does not allow. A call is denied unless the container keeps the
 * capability that Docker's profile ties it to (the cap column below), so
 * --cap-add SYS_ADMIN also allows mount(), as it does in Docker.
 *
 * NOTE: a deny list lets through system calls added to the kernel after
 * this list was written; Docker's allow list does not. */
#define G_LOG_DOMAIN "gocker-seccomp"

#include "seccomp-filter.h"
#include "caps.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <gio/gio.h>
#include <sys/capability.h>
#include <sys/socket.h>

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (scmp_filter_ctx, seccomp_release, NULL)

/* No capability allows the call. */
#define NO_CAP (-1)

typedef struct {
  const char *name;
  int cap;            /* keeping this capability allows the call, or NO_CAP */
} DeniedSyscall;

static const DeniedSyscall denied_syscalls[] = {
  /* Kernel modules. */
  { "init_module", CAP_SYS_MODULE },
  { "finit_module", CAP_SYS_MODULE },
  { "delete_module", CAP_SYS_MODULE },
  { "create_module", NO_CAP },
  { "query_module", NO_CAP },
  { "get_kernel_syms", NO_CAP },

  /* Replacing or stopping the kernel. */
  { "kexec_load", CAP_SYS_BOOT },
  { "kexec_file_load", CAP_SYS_BOOT },
  { "reboot", CAP_SYS_BOOT },

  /* Mounts: the container's mounts are complete before the filter loads. */
  { "mount", CAP_SYS_ADMIN },
  { "umount", CAP_SYS_ADMIN },
  { "umount2", CAP_SYS_ADMIN },
  { "pivot_root", CAP_SYS_ADMIN },
  { "fsopen", CAP_SYS_ADMIN },
  { "fsconfig", CAP_SYS_ADMIN },
  { "fsmount", CAP_SYS_ADMIN },
  { "fspick", CAP_SYS_ADMIN },
  { "move_mount", CAP_SYS_ADMIN },
  { "open_tree", CAP_SYS_ADMIN },
  { "mount_setattr", CAP_SYS_ADMIN },

  /* Joining other namespaces. unshare() and clone() are handled below. */
  { "setns", CAP_SYS_ADMIN },

  /* Other processes' memory and descriptors. */
  { "ptrace", CAP_SYS_PTRACE },
  { "process_vm_readv", CAP_SYS_PTRACE },
  { "process_vm_writev", CAP_SYS_PTRACE },
  { "process_madvise", CAP_SYS_PTRACE },
  { "kcmp", CAP_SYS_PTRACE },
  { "pidfd_getfd", CAP_SYS_PTRACE },

  /* The kernel keyring is not namespaced. */
  { "keyctl", NO_CAP },
  { "add_key", NO_CAP },
  { "request_key", NO_CAP },

  /* Kernel attack surface that containers rarely need. */
  { "bpf", CAP_SYS_ADMIN },
  { "perf_event_open", CAP_SYS_ADMIN },
  { "userfaultfd", NO_CAP },
  { "io_uring_setup", NO_CAP },
  { "io_uring_enter", NO_CAP },
  { "io_uring_register", NO_CAP },
  { "fanotify_init", CAP_SYS_ADMIN },
  { "lookup_dcookie", CAP_SYS_ADMIN },
  { "quotactl", CAP_SYS_ADMIN },
  { "quotactl_fd", CAP_SYS_ADMIN },
  { "nfsservctl", NO_CAP },
  { "uselib", NO_CAP },
  { "ustat", NO_CAP },
  { "sysfs", NO_CAP },
  { "_sysctl", NO_CAP },
  { "memfd_secret", NO_CAP },

  /* Files by handle bypass the mount namespace's view of paths. */
  { "open_by_handle_at", CAP_DAC_READ_SEARCH },
  { "name_to_handle_at", CAP_SYS_ADMIN },

  /* Host-wide state. */
  { "swapon", CAP_SYS_ADMIN },
  { "swapoff", CAP_SYS_ADMIN },
  { "acct", CAP_SYS_PACCT },
  { "clock_settime", CAP_SYS_TIME },
  { "clock_adjtime", CAP_SYS_TIME },
  { "settimeofday", CAP_SYS_TIME },
  { "stime", CAP_SYS_TIME },
  { "syslog", CAP_SYSLOG },
  { "vhangup", CAP_SYS_TTY_CONFIG },
  { "iopl", CAP_SYS_RAWIO },
  { "ioperm", CAP_SYS_RAWIO },
  { "vm86", NO_CAP },
  { "vm86old", NO_CAP },

  /* NUMA placement affects the whole host. */
  { "mbind", CAP_SYS_NICE },
  { "get_mempolicy", CAP_SYS_NICE },
  { "set_mempolicy", CAP_SYS_NICE },
  { "set_mempolicy_home_node", CAP_SYS_NICE },
  { "move_pages", CAP_SYS_NICE },
};

/* Namespace flags that clone() and unshare() may not use without
 * CAP_SYS_ADMIN. CLONE_NEWTIME is only valid for unshare() and clone3():
 * in clone() its bit belongs to the exit signal. */
static const guint64 namespace_flags[] = {
  CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
  CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP,
};

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define PERSONALITY_QUERY 0xffffffffu
#define PER_LINUX32_BIT 3    /* PER_LINUX32 = 0x0008 */
#define UNAME26_BIT 17       /* UNAME26 = 0x0020000 */

static gboolean
keeps_cap (guint64 caps_keep, int cap)
{
  return cap != NO_CAP && cap < 64 && (caps_keep & (G_GUINT64_CONSTANT (1) << cap)) != 0;
}

/* Add one rule; a system call this architecture or libseccomp does not
 * know is skipped. */
static gboolean
deny_syscall (scmp_filter_ctx ctx, const char *name, guint32 action,
              unsigned int n_args, const struct scmp_arg_cmp *args, GError **error)
{
  int nr = seccomp_syscall_resolve_name (name);
  int ret;

  if (nr == __NR_SCMP_ERROR)
    {
      g_debug ("system call %s is unknown to libseccomp, not filtered", name);
      return TRUE;
    }

  ret = seccomp_rule_add_array (ctx, action, nr, n_args, args);
  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-ret),
                   "adding the seccomp rule for %s: %s", name, g_strerror (-ret));
      return FALSE;
    }
  return TRUE;
}

static gboolean
deny_namespace_flags (scmp_filter_ctx ctx, const char *name, gboolean with_newtime, GError **error)
{
  /* A rule may compare an argument once, so each flag gets its own rule;
   * the rules of one call are alternatives. */
  for (gsize i = 0; i < G_N_ELEMENTS (namespace_flags) + (with_newtime ? 1 : 0); i++)
    {
      guint64 flag = i < G_N_ELEMENTS (namespace_flags) ? namespace_flags[i] : CLONE_NEWTIME;
      struct scmp_arg_cmp cmp = SCMP_A0 (SCMP_CMP_MASKED_EQ, flag, flag);

      if (!deny_syscall (ctx, name, SCMP_ACT_ERRNO (EPERM), 1, &cmp, error))
        return FALSE;
    }
  return TRUE;
}

/* Docker allows personality() only for PER_LINUX, PER_LINUX32, their
 * UNAME26 variants and the query 0xffffffff. Other flags such as
 * ADDR_NO_RANDOMIZE or READ_IMPLIES_EXEC weaken the process's memory
 * protection. A rule cannot compare one argument twice, so the allowed set
 * is built from single-mask rules on the low 32 bits, which is all the
 * kernel reads:
 * - bit 31 clear and any bit other than PER_LINUX32 or UNAME26 set: denied;
 * - bit 31 set and any other of the low 31 bits clear: denied, which
 *   leaves 0xffffffff as the only allowed value with bit 31 set. */
static gboolean
restrict_personality (scmp_filter_ctx ctx, GError **error)
{
  for (guint bit = 0; bit < 31; bit++)
    {
      guint64 mask = G_GUINT64_CONSTANT (0x80000000) | (G_GUINT64_CONSTANT (1) << bit);
      struct scmp_arg_cmp flag_set = SCMP_A0 (SCMP_CMP_MASKED_EQ, mask, G_GUINT64_CONSTANT (1) << bit);
      struct scmp_arg_cmp partial_query = SCMP_A0 (SCMP_CMP_MASKED_EQ, mask, G_GUINT64_CONSTANT (0x80000000));

      if (bit != PER_LINUX32_BIT && bit != UNAME26_BIT &&
          !deny_syscall (ctx, "personality", SCMP_ACT_ERRNO (EPERM), 1, &flag_set, error))
        return FALSE;
      if (!deny_syscall (ctx, "personality", SCMP_ACT_ERRNO (EPERM), 1, &partial_query, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
build_default_filter (guint64 caps_keep, scmp_filter_ctx *out, GError **error)
{
  g_auto(scmp_filter_ctx) ctx = NULL;
  int ret;

  ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "creating the seccomp filter failed");
      return FALSE;
    }

  /* Filter the 32-bit and x32 entry points too, or a 32-bit binary could
   * call what the 64-bit rules deny. */
  if (seccomp_arch_native () == SCMP_ARCH_X86_64)
    {
      const guint32 extra[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };

      for (gsize i = 0; i < G_N_ELEMENTS (extra); i++)
        {
          ret = seccomp_arch_add (ctx, extra[i]);
          if (ret < 0 && ret != -EEXIST)
            {
              g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-ret),
                           "adding an architecture to the seccomp filter: %s", g_strerror (-ret));
              return FALSE;
            }
        }
    }

  for (gsize i = 0; i < G_N_ELEMENTS (denied_syscalls); i++)
    {
      if (keeps_cap (caps_keep, denied_syscalls[i].cap))
        continue;
      if (!deny_syscall (ctx, denied_syscalls[i].name, SCMP_ACT_ERRNO (EPERM), 0, NULL, error))
        return FALSE;
    }

  if (!keeps_cap (caps_keep, CAP_SYS_ADMIN))
    {
      /* clone3() passes its flags in memory the filter cannot read. ENOSYS
       * makes glibc fall back to clone(). */
      if (!deny_syscall (ctx, "clone3", SCMP_ACT_ERRNO (ENOSYS), 0, NULL, error))
        return FALSE;
      if (!deny_namespace_flags (ctx, "clone", /* with_newtime= */ FALSE, error))
        return FALSE;
      if (!deny_namespace_flags (ctx, "unshare", /* with_newtime= */ TRUE, error))
        return FALSE;
    }

  if (!restrict_personality (ctx, error))
    return FALSE;

  /* Docker's profile keeps AF_VSOCK closed: it reaches the hypervisor. */
  {
    struct scmp_arg_cmp vsock = SCMP_A0 (SCMP_CMP_EQ, AF_VSOCK);

    if (!deny_syscall (ctx, "socket", SCMP_ACT_ERRNO (EPERM), 1, &vsock, error))
      return FALSE;
  }

  *out = g_steal_pointer (&ctx);
  return TRUE;
}

gboolean
gocker_seccomp_apply_default (guint64 caps_keep, GError **error)
{
  g_auto(scmp_filter_ctx) ctx = NULL;
  int ret;

  if (!build_default_filter (caps_keep, &ctx, error))
    return FALSE;

  ret = seccomp_load (ctx);
  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-ret),
                   "loading the seccomp filter: %s", g_strerror (-ret));
      return FALSE;
    }
  return TRUE;
}

gboolean
gocker_seccomp_export_default (guint64 caps_keep, int fd, GError **error)
{
  g_auto(scmp_filter_ctx) ctx = NULL;
  int ret;

  if (!build_default_filter (caps_keep, &ctx, error))
    return FALSE;

  ret = seccomp_export_pfc (ctx, fd);
  if (ret < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-ret),
                   "exporting the seccomp filter: %s", g_strerror (-ret));
      return FALSE;
    }
  return TRUE;
}
