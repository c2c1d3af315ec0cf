/*
 * A measuring tool for `npm run bench -- engine`, not part of rnx: the kernel work of an rnx job's
 * sandbox, done by one small process. It takes an empty directory to build the job's root on (a
 * tmpfs mounted there in the job's mount namespace only), then the bwrap arguments rnx gives a job
 * without the start protocol (bench/job-sandbox.ts: the namespaces, the hostname, the job's mount
 * plan, then `--` and the command, without setpriv) and does what bwrap and setpriv do with them:
 *
 *   - new PID, mount, network, IPC and UTS namespaces; the command runs as PID 1 of its PID
 *     namespace, in a session of its own, killed when this process's parent dies; this process
 *     waits for it and exits as it did (bwrap's --as-pid-1, --new-session, --die-with-parent);
 *   - the mount plan in order, on a tmpfs that becomes the root (pivot_root): --ro-bind, --bind
 *     and --dev-bind (recursive binds, then nosuid, nodev unless --dev-bind, read-only for
 *     --ro-bind, set on the whole bound tree at once with mount_setattr), --tmpfs and --dir (with
 *     the --perms before them), --symlink, --proc, --dev (a tmpfs with null, zero, full, random,
 *     urandom and tty bound from the host, its own devpts, the usual links), --remount-ro,
 *     --chdir; the loopback brought up, the hostname set;
 *   - Docker's default capabilities in every set (what setpriv does for rnx), none ambient,
 *     no_new_privs.
 *
 * What it leaves out, since the benchmark has no use for it: the start protocol fds, error
 * messages beyond the failing step, bwrap's other options. It differs from bwrap in how it makes
 * a read-only bind: bwrap reads and parses /proc/self/mountinfo for every bind and --remount-ro
 * to remount each mount below the target; mount_setattr(AT_RECURSIVE) does that in one call.
 *
 *   cc -O2 -o sandbox-floor bench/sandbox-floor.c     (the benchmark compiles it when cc exists)
 *   sandbox-floor EMPTY-DIR BWRAP-ARGS... -- COMMAND...
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void fail(const char *step, const char *path) {
  fprintf(stderr, "sandbox-floor: %s %s: %s\n", step, path ? path : "", strerror(errno));
  _exit(125);
}

static const char *base; /* where the new root is built: a tmpfs of the job's mount namespace */
static char joined[4096];

/* The job's path `path` below the new root. */
static const char *job_path(const char *path) {
  snprintf(joined, sizeof joined, "%s%s", base, path);
  return joined;
}

/* mkdir -p of `path` (a host path below the new root), the last component with `mode`. */
static void make_dirs(const char *path, mode_t mode) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + strlen(base) + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) fail("mkdir", buf);
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST) fail("mkdir", buf);
}

/* The mount point of a bind: a directory for a directory, an empty file otherwise. */
static void make_mount_point(const char *source, const char *target) {
  struct stat st;
  if (lstat(target, &st) == 0) return;
  if (stat(source, &st) < 0) fail("stat", source);
  if (S_ISDIR(st.st_mode)) {
    make_dirs(target, 0755);
    return;
  }
  char parent[4096];
  snprintf(parent, sizeof parent, "%s", target);
  char *slash = strrchr(parent, '/');
  if (slash != NULL && slash != parent) {
    *slash = '\0';
    make_dirs(parent, 0755);
  }
  int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
  if (fd < 0 && errno != EEXIST && errno != EISDIR) fail("create", target);
  if (fd >= 0) close(fd);
}

static void set_attr(const char *target, unsigned long long attr, unsigned flags) {
  struct mount_attr a = { .attr_set = attr };
  if (mount_setattr(AT_FDCWD, target, flags, &a, sizeof a) < 0) fail("mount_setattr", target);
}

enum bind_kind { RO_BIND, BIND, DEV_BIND };

static void bind_in_job(const char *source, const char *dest, enum bind_kind kind) {
  char target[4096];
  snprintf(target, sizeof target, "%s", job_path(dest));
  make_mount_point(source, target);
  if (mount(source, target, NULL, MS_BIND | MS_REC, NULL) < 0) fail("bind", source);
  unsigned long long attr = MOUNT_ATTR_NOSUID;
  if (kind != DEV_BIND) attr |= MOUNT_ATTR_NODEV;
  if (kind == RO_BIND) attr |= MOUNT_ATTR_RDONLY;
  set_attr(target, attr, AT_RECURSIVE);
}

static void tmpfs(const char *dest, mode_t mode) {
  char target[4096], options[32];
  snprintf(target, sizeof target, "%s", job_path(dest));
  make_dirs(target, 0755);
  snprintf(options, sizeof options, "mode=%04o", (unsigned)mode);
  if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0) fail("tmpfs", dest);
}

static void link_in_job(const char *link, const char *dest) {
  if (symlink(link, job_path(dest)) < 0 && errno != EEXIST) fail("symlink", dest);
}

static void dev(const char *dest) {
  static const char *nodes[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };
  char path[512], host[64];
  tmpfs(dest, 0755);
  for (const char **n = nodes; *n != NULL; n++) {
    snprintf(host, sizeof host, "/dev/%s", *n);
    snprintf(path, sizeof path, "%s/%s", dest, *n);
    bind_in_job(host, path, DEV_BIND);
  }
  snprintf(path, sizeof path, "%s/pts", dest);
  make_dirs(job_path(path), 0755);
  if (mount("devpts", job_path(path), "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=620") < 0)
    fail("devpts", path);
  snprintf(path, sizeof path, "%s/shm", dest);
  make_dirs(job_path(path), 01777);
  static const char *links[][2] = { { "pts/ptmx", "ptmx" }, { "/proc/self/fd", "fd" },
                                    { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
                                    { "/proc/self/fd/2", "stderr" } };
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dest, links[i][1]);
    link_in_job(links[i][0], path);
  }
}

static void loopback_up(void) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };
  strcpy(ifr.ifr_name, "lo");
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail("loopback", "lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail("loopback up", "lo");
  close(s);
}

/* Docker's default set (rnx's DEFAULT_CAPABILITIES). */
static const unsigned long long KEEP =
    (1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_FSETID) |
    (1ULL << CAP_FOWNER) | (1ULL << CAP_MKNOD) | (1ULL << CAP_NET_RAW) | (1ULL << CAP_SETGID) |
    (1ULL << CAP_SETUID) | (1ULL << CAP_SETFCAP) | (1ULL << CAP_SETPCAP) |
    (1ULL << CAP_NET_BIND_SERVICE) | (1ULL << CAP_SYS_CHROOT) | (1ULL << CAP_KILL) |
    (1ULL << CAP_AUDIT_WRITE);

static void drop_capabilities(void) {
  for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
    if ((KEEP & (1ULL << cap)) == 0 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      fail("drop from the bounding set", NULL);
  }
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2] = { { .effective = (__u32)KEEP,
                                              .permitted = (__u32)KEEP,
                                              .inheritable = (__u32)KEEP },
                                            { 0 } };
  if (syscall(SYS_capset, &header, data) < 0) fail("capset", NULL);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) fail("ambient", NULL);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("no_new_privs", NULL);
}

/* Runs the mount plan and the rest in the job's PID 1, then execs the command. */
static void job(char **argv) {
  const char *hostname = NULL, *workdir = NULL;
  mode_t perms = 0755;
  int have_perms = 0;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("pdeathsig", NULL);
  if (setsid() < 0) fail("setsid", NULL);
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("make private", "/");
  if (mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) fail("root", base);
  for (; *argv != NULL && strcmp(*argv, "--") != 0; argv++) {
    const char *op = *argv;
    mode_t mode = have_perms ? perms : 0755;
    have_perms = 0;
    if (strcmp(op, "--perms") == 0) {
      perms = (mode_t)strtoul(*++argv, NULL, 8);
      have_perms = 1;
    } else if (strcmp(op, "--ro-bind") == 0 || strcmp(op, "--bind") == 0 ||
               strcmp(op, "--dev-bind") == 0) {
      enum bind_kind kind = op[2] == 'r' ? RO_BIND : op[2] == 'b' ? BIND : DEV_BIND;
      bind_in_job(argv[1], argv[2], kind);
      argv += 2;
    } else if (strcmp(op, "--tmpfs") == 0) {
      tmpfs(*++argv, mode);
    } else if (strcmp(op, "--dir") == 0) {
      make_dirs(job_path(*++argv), mode);
      chmod(joined, mode);
    } else if (strcmp(op, "--symlink") == 0) {
      link_in_job(argv[1], argv[2]);
      argv += 2;
    } else if (strcmp(op, "--proc") == 0) {
      argv++;
      make_dirs(job_path(*argv), 0555);
      if (mount("proc", joined, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        fail("proc", *argv);
    } else if (strcmp(op, "--dev") == 0) {
      dev(*++argv);
    } else if (strcmp(op, "--remount-ro") == 0) {
      set_attr(job_path(*++argv), MOUNT_ATTR_RDONLY, 0);
    } else if (strcmp(op, "--chdir") == 0) {
      workdir = *++argv;
    } else if (strcmp(op, "--hostname") == 0) {
      hostname = *++argv;
    } else if (strncmp(op, "--unshare-", 10) == 0 || strcmp(op, "--die-with-parent") == 0 ||
               strcmp(op, "--as-pid-1") == 0 || strcmp(op, "--new-session") == 0) {
      /* Always so here. */
    } else {
      errno = EINVAL;
      fail("unknown option", op);
    }
  }
  if (*argv == NULL || argv[1] == NULL) {
    errno = EINVAL;
    fail("no command after", "--");
  }
  if (hostname != NULL && sethostname(hostname, strlen(hostname)) < 0) fail("hostname", hostname);
  loopback_up();
  if (chdir(base) < 0) fail("chdir", base);
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("pivot_root", base);
  if (umount2(".", MNT_DETACH) < 0) fail("detach the old root", NULL);
  if (chdir(workdir != NULL ? workdir : "/") < 0) fail("chdir", workdir);
  drop_capabilities();
  execvp(argv[1], argv + 1);
  fail("exec", argv[1]);
}

int main(int argc, char **argv) {
  if (argc < 2 || argv[1][0] != '/') {
    fprintf(stderr, "usage: sandbox-floor EMPTY-DIR BWRAP-ARGS... -- COMMAND...\n");
    return 2;
  }
  base = argv[1];
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) fail("pdeathsig", NULL);
  if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0)
    fail("unshare", NULL);
  pid_t child = fork();
  if (child < 0) fail("fork", NULL);
  if (child == 0) job(argv + 2);
  int status;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) fail("wait", NULL);
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
