/*
 * rnx-sandbox: sets up one rnx job in one process and becomes its command. rnx's own replacement
 * for `bwrap ... -- setpriv ... -- COMMAND` (README: "The job's sandbox: rnx-sandbox or bwrap").
 *
 * It takes the subset of bubblewrap's command line that rnx builds (src/isolation/start/
 * sandbox-args.ts) and keeps bubblewrap's behaviour for it, so one argument builder serves both
 * and rnx speaks one start protocol:
 *
 *   --unshare-pid --unshare-net --unshare-ipc --unshare-uts --as-pid-1 --die-with-parent
 *       accepted for bwrap's sake: always so here (new PID, mount, network, IPC and UTS
 *       namespaces; the command is PID 1; the job is killed when this process's parent dies)
 *   --new-session         the command runs in a session of its own
 *   --hostname NAME       the job's hostname
 *   --info-fd FD          `{"child-pid": N}` (the job's PID 1 as the host sees it), then closed
 *   --block-fd FD         the job waits, its sandbox made, for one byte or the end of FD: the go
 *   --json-status-fd FD   `{ "child-pid": N }`, then `{ "exit-code": N }` once the command ran
 *                         (after exec'ing it: a sandbox that could not be made says no exit code)
 *   --perms OCTAL         the mode of the next --tmpfs or --dir
 *   --ro-bind SRC DEST, --bind SRC DEST, --dev-bind SRC DEST
 *                         recursive binds; nosuid, nodev unless --dev-bind, read-only for --ro-bind,
 *                         set on the whole bound tree by one mount_setattr(AT_RECURSIVE)
 *   --tmpfs DEST, --dir DEST, --symlink TARGET DEST, --proc DEST, --dev DEST, --remount-ro DEST
 *   --chdir DIR           where the command starts (default /)
 *   --caps HEX            the capabilities kept: the bounding, permitted, effective and
 *                         inheritable sets become exactly this mask, the ambient set is emptied,
 *                         no_new_privs is set (what `setpriv --bounding-set --inh-caps
 *                         --ambient-caps=-all --no-new-privs` does after bwrap)
 *   --uid N --gid N --groups LIST
 *                         the user the command runs as (LIST: comma-separated gids, may be empty);
 *                         real, effective and saved ids all set, so nothing is kept of root
 *   --eth0 ADDRESS/PREFIX GATEWAY
 *                         after the go, eth0 (rnx's veth peer) gets the address, comes up and
 *                         routes through GATEWAY (interfaces.c; with bwrap, rnx runs ip for it)
 *   --cgroup DIR, --cgroup-if DIR, --cgroup-set FILE VALUE, --cgroup-try FILE VALUE,
 *   --cgroup-read NAME FILE TOKEN
 *                         the job's cgroups, made, joined, read and removed here (cgroups.c;
 *                         rnx's own, bwrap has none: with bwrap rnx does this itself)
 *   -- COMMAND ARGS...    exec'd (PATH searched) as the last step
 *
 * As bubblewrap does, the job's root is built on a tmpfs over /tmp of the new mount namespace:
 * after a first pivot_root the host's root is at /oldroot (every SRC is read there) and the new
 * root at /newroot (every DEST is made there); the host's root is then detached and /newroot
 * becomes / by a second pivot_root. Bind sources are resolved (realpath) before the first pivot,
 * as bubblewrap does. Where it differs from bubblewrap: a read-only bind is one mount_setattr
 * call instead of a remount of each mount below the target, each found by reading and parsing
 * /proc/self/mountinfo again; the mount namespace is made private, not a slave of the host's (a
 * mount the host makes later below a bound directory does not appear in the job, where it would
 * have the host's flags, not read-only or nosuid); capabilities and the user are set in this
 * process instead of by one more exec (setpriv), after the chdir as bwrap then setpriv do; only
 * fds 0 to 2 reach the command; no privilege-separated setup process is forked; a path with a
 * `..` component is refused; a DEST is resolved inside the new root (in_newroot), where bwrap
 * follows a link of the job's tree out of it, onto the host's root at /oldroot.
 *
 * Errors: a step that fails prints `rnx-sandbox: STEP PATH: strerror` on the job's stderr and
 * exits 1 (bwrap's convention; no exit code on the status fd); a command that cannot be exec'd
 * exits 127 (not found) or 126 (any other reason), as a shell and setpriv do, and that is its exit
 * code. A command killed by signal N is reported, and exited with, as 128 + N.
 *
 * Needs Linux 5.12 or newer (mount_setattr); rnx uses bwrap on an older kernel. It is run by
 * root only, by rnx, which built its arguments: it is not setuid and trusts its command line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
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
#include <grp.h>
#include <unistd.h>
#include "cgroups.h"
#include "interfaces.h"

struct options {
  const char *hostname;
  const char *chdir;
  const char *eth0_address, *eth0_gateway; /* --eth0 (interfaces.c) */
  int info_fd, block_fd, status_fd;
  int new_session;
  int have_caps;
  uint64_t caps;
  int have_user;
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t ngroups;
  char ***steps;  /* each filesystem step's option, in order (its arguments follow it) */
  size_t nsteps;
  char **command; /* after `--` */
  struct cgroups cgroups; /* cgroups.c */
};

static void die(const char *step, const char *path) {
  int saved = errno;
  fprintf(stderr, "rnx-sandbox: %s%s%s: %s\n", step, path ? " " : "", path ? path : "",
          strerror(saved));
  _exit(1);
}

static void usage(const char *what, const char *arg) {
  fprintf(stderr, "rnx-sandbox: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
  _exit(1);
}

/* ---- the command line ---- */

static long number(const char *text, int base, long max) {
  char *end;
  errno = 0;
  long value = strtol(text, &end, base);
  if (errno != 0 || *text == '\0' || *end != '\0' || value < 0 || value > max)
    usage("not a valid number", text);
  return value;
}

static int fd_arg(const char *text) { return (int)number(text, 10, 1 << 20); }

static void parse_groups(struct options *o, const char *text) {
  o->ngroups = 0;
  free(o->groups);
  o->groups = calloc(strlen(text) / 2 + 1, sizeof *o->groups);
  char *buf = strdup(text);
  if (o->groups == NULL || buf == NULL) die("calloc", NULL);
  for (char *save = NULL, *gid = strtok_r(buf, ",", &save); gid != NULL;
       gid = strtok_r(NULL, ",", &save))
    o->groups[o->ngroups++] = (gid_t)number(gid, 10, 0xfffffffeL);
  free(buf);
}

/* True when a path has a `..` component (a destination must stay below the new root). */
static int has_dotdot(const char *path) {
  for (const char *p = path; (p = strstr(p, "..")) != NULL; p += 2) {
    if ((p == path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/')) return 1;
  }
  return 0;
}

/* How many arguments each filesystem step takes. */
static int step_arity(const char *op) {
  static const char *one[] = { "--perms", "--tmpfs", "--dir", "--proc", "--dev", "--remount-ro",
                               NULL };
  static const char *two[] = { "--ro-bind", "--bind", "--dev-bind", "--symlink", NULL };
  for (const char **s = one; *s; s++)
    if (strcmp(op, *s) == 0) return 1;
  for (const char **s = two; *s; s++)
    if (strcmp(op, *s) == 0) return 2;
  return 0;
}

static void parse(struct options *o, int argc, char **argv) {
  static const char *always[] = { "--unshare-pid", "--unshare-net", "--unshare-ipc",
                                  "--unshare-uts", "--as-pid-1",    "--die-with-parent", NULL };
  *o = (struct options){ .info_fd = -1, .block_fd = -1, .status_fd = -1 };
  o->steps = calloc((size_t)argc + 1, sizeof *o->steps);
  if (o->steps == NULL) die("calloc", NULL);
  cgroups_init(&o->cgroups, (size_t)argc);
  char **arg = argv;
  for (; *arg != NULL && strcmp(*arg, "--") != 0; arg++) {
    const char *op = *arg;
    int flag = 0;
    for (const char **s = always; *s; s++) flag |= strcmp(op, *s) == 0;
    if (flag) continue;
    if (strcmp(op, "--new-session") == 0) {
      o->new_session = 1;
      continue;
    }
    int arity = cgroups_arity(op);
    if (arity > 0) {
      for (int i = 1; i <= arity; i++)
        if (arg[i] == NULL) usage("missing argument to", op);
      cgroups_option(&o->cgroups, arg);
      arg += arity;
      continue;
    }
    arity = step_arity(op);
    if (arity > 0) {
      for (int i = 1; i <= arity; i++)
        if (arg[i] == NULL) usage("missing argument to", op);
      o->steps[o->nsteps++] = arg;
      if (strcmp(op, "--perms") == 0) number(arg[1], 8, 07777);
      else if (arg[arity][0] != '/') usage("not an absolute path", arg[arity]);
      for (int i = 1; i <= arity; i++)
        if (strcmp(op, "--symlink") != 0 || i == 2)
          if (has_dotdot(arg[i])) usage("a path with a '..' component", arg[i]);
      arg += arity;
      continue;
    }
    if (strcmp(op, "--eth0") == 0) {
      if (arg[1] == NULL || arg[2] == NULL) usage("missing argument to", op);
      o->eth0_address = arg[1];
      o->eth0_gateway = arg[2];
      arg += 2;
      continue;
    }
    const char *value = arg[1];
    if (value == NULL) usage("missing argument to", op);
    arg++;
    if (strcmp(op, "--hostname") == 0) o->hostname = value;
    else if (strcmp(op, "--chdir") == 0) o->chdir = value;
    else if (strcmp(op, "--info-fd") == 0) o->info_fd = fd_arg(value);
    else if (strcmp(op, "--block-fd") == 0) o->block_fd = fd_arg(value);
    else if (strcmp(op, "--json-status-fd") == 0) o->status_fd = fd_arg(value);
    else if (strcmp(op, "--caps") == 0) {
      char *end;
      errno = 0;
      o->caps = strtoull(value, &end, 16);
      if (errno != 0 || *value == '\0' || *end != '\0' || strspn(value, "0123456789abcdefABCDEF") != strlen(value))
        usage("not a capability mask", value);
      o->have_caps = 1;
    } else if (strcmp(op, "--uid") == 0) {
      o->uid = (uid_t)number(value, 10, 0xfffffffeL);
      o->have_user |= 1;
    } else if (strcmp(op, "--gid") == 0) {
      o->gid = (gid_t)number(value, 10, 0xfffffffeL);
      o->have_user |= 2;
    } else if (strcmp(op, "--groups") == 0) {
      parse_groups(o, value);
      o->have_user |= 4;
    } else {
      usage("unknown option", op);
    }
  }
  if (o->have_user != 0 && o->have_user != 7) usage("--uid, --gid and --groups go together", NULL);
  if (*arg == NULL || arg[1] == NULL) usage("no command after --", NULL);
  if (!o->have_caps) usage("--caps is required", NULL);
  o->command = arg + 1;
}

/* ---- the job's filesystem (paths below /oldroot and /newroot) ---- */

static char *joined(const char *root, const char *path) {
  static char bufs[2][4096];
  static int next;
  char *buf = bufs[next++ % 2];
  if ((size_t)snprintf(buf, sizeof bufs[0], "%s%s", root, path) >= sizeof bufs[0]) {
    errno = ENAMETOOLONG;
    die("path", path);
  }
  return buf;
}

/*
 * A DEST resolved inside the job's root as if /newroot were / (what runc's securejoin does): a
 * symlink met on the way, absolute or relative, is followed within /newroot and `..` stops at its
 * top, so no link of a runtime's tree (`etc/hosts -> /oldroot/etc/nologin`) can lead a mount
 * point, a mount or a new file outside it, onto the host's root still mounted at /oldroot. The
 * last component is followed too unless `keep_last` (a --symlink's own name). Components that do
 * not exist yet are kept as they are: they are made below, as directories. (bwrap 0.8 follows
 * such links out of the root; measured, it created a file on the host.)
 */
static const char *in_newroot(const char *path, int keep_last) {
  static char out[4096];
  char done[4096] = "";     /* the resolved components so far, each as "/name" */
  char todo[8192];          /* what is left to resolve */
  int links = 0;
  if (strlen(path) >= sizeof todo) {
    errno = ENAMETOOLONG;
    die("path", path);
  }
  strcpy(todo, path);
  while (todo[0] != '\0') {
    char *rest = todo + strspn(todo, "/");
    size_t len = strcspn(rest, "/");
    char name[256];
    if (len >= sizeof name) {
      errno = ENAMETOOLONG;
      die("path", path);
    }
    memcpy(name, rest, len);
    name[len] = '\0';
    memmove(todo, rest + len, strlen(rest + len) + 1);
    if (len == 0 || strcmp(name, ".") == 0) continue;
    if (strcmp(name, "..") == 0) {
      char *slash = strrchr(done, '/');
      if (slash != NULL) *slash = '\0';
      continue;
    }
    int last = todo[strspn(todo, "/")] == '\0';
    char candidate[4096];
    if ((size_t)snprintf(candidate, sizeof candidate, "/newroot%s/%s", done, name) >= sizeof candidate) {
      errno = ENAMETOOLONG;
      die("path", path);
    }
    struct stat st;
    if (!(last && keep_last) && lstat(candidate, &st) == 0 && S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlink(candidate, target, sizeof target - 1);
      if (n < 0) die("readlink", candidate);
      target[n] = '\0';
      if (++links > 40 || (size_t)n + strlen(todo) + 2 > sizeof todo) {
        errno = ELOOP;
        die("path", path);
      }
      if (target[0] == '/') done[0] = '\0';
      /* The link's target, then what was left after it. */
      memmove(todo + n + 1, todo, strlen(todo) + 1);
      memcpy(todo, target, (size_t)n);
      todo[n] = '/';
      continue;
    }
    if (strlen(done) + len + 2 > sizeof done) {
      errno = ENAMETOOLONG;
      die("path", path);
    }
    strcat(done, "/");
    strcat(done, name);
  }
  snprintf(out, sizeof out, "/newroot%s", done);
  return out;
}

/* mkdir -p of `path`'s parents below /newroot (0755, as bwrap). */
static void make_parents(const char *path) {
  char buf[4096];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + strlen("/newroot") + 1; *p; p++) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(buf, 0755) < 0 && errno != EEXIST) die("mkdir", buf);
    *p = '/';
  }
}

static void make_dir(const char *path, mode_t mode) {
  make_parents(path);
  if (mkdir(path, mode) < 0 && errno != EEXIST) die("mkdir", path);
}

/* The mount point of a bind: a directory for a directory, an empty file otherwise. */
static void make_mount_point(const char *source, const char *target) {
  struct stat st;
  if (stat(target, &st) == 0) return;
  if (stat(source, &st) < 0) die("stat", source);
  make_parents(target);
  if (S_ISDIR(st.st_mode)) {
    if (mkdir(target, 0755) < 0 && errno != EEXIST) die("mkdir", target);
    return;
  }
  int fd = open(target, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOCTTY, 0444);
  if (fd < 0) die("create", target);
  close(fd);
}

static void set_attr(const char *target, uint64_t attr, unsigned flags) {
  struct mount_attr a = { .attr_set = attr };
  if (mount_setattr(AT_FDCWD, target, flags, &a, sizeof a) < 0) die("mount_setattr", target);
}

enum bind_kind { RO_BIND, BIND, DEV_BIND };

static void bind_mount(const char *source, const char *target, enum bind_kind kind, int recursive) {
  make_mount_point(source, target);
  if (mount(source, target, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
    die("bind", source);
  uint64_t attr = MOUNT_ATTR_NOSUID;
  if (kind != DEV_BIND) attr |= MOUNT_ATTR_NODEV;
  if (kind == RO_BIND) attr |= MOUNT_ATTR_RDONLY;
  set_attr(target, attr, recursive ? AT_RECURSIVE : 0);
}

static void tmpfs(const char *target, mode_t mode) {
  char options[32];
  make_dir(target, 0755);
  snprintf(options, sizeof options, "mode=%#o", (unsigned)mode);
  if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0) die("tmpfs", target);
}

static void symlink_at(const char *link, const char *target) {
  make_parents(target);
  if (symlink(link, target) == 0) return;
  char existing[4096];
  ssize_t n = errno == EEXIST ? readlink(target, existing, sizeof existing - 1) : -1;
  if (n >= 0) existing[n] = '\0';
  if (n < 0 || strcmp(existing, link) != 0) die("symlink", target);
}

/* A new procfs; then what bwrap covers itself, read-only where this process could write it. */
static void proc(const char *target) {
  static const char *cover[] = { "sys", "sysrq-trigger", "irq", "bus", NULL };
  make_dir(target, 0755);
  if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
    die("proc", target);
  for (const char **name = cover; *name; name++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", target, *name);
    if (access(path, W_OK) < 0) {
      if (errno == EACCES || errno == ENOENT || errno == EROFS) continue;
      die("access", path);
    }
    bind_mount(path, path, RO_BIND, 0);
  }
}

/* bwrap's --dev: a tmpfs with the safe nodes bound from the host, a private devpts, the links. */
static void dev(const char *target) {
  static const char *nodes[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };
  static const char *links[][2] = { { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
                                    { "/proc/self/fd/2", "stderr" }, { "/proc/self/fd", "fd" },
                                    { "/proc/kcore", "core" } };
  char path[4096], host[64];
  tmpfs(target, 0755);
  for (const char **n = nodes; *n != NULL; n++) {
    snprintf(host, sizeof host, "/oldroot/dev/%s", *n);
    snprintf(path, sizeof path, "%s/%s", target, *n);
    bind_mount(host, path, DEV_BIND, 0);
  }
  for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", target, links[i][1]);
    if (symlink(links[i][0], path) < 0) die("symlink", path);
  }
  snprintf(path, sizeof path, "%s/shm", target);
  if (mkdir(path, 0755) < 0) die("mkdir", path);
  snprintf(path, sizeof path, "%s/pts", target);
  if (mkdir(path, 0755) < 0) die("mkdir", path);
  if (mount("devpts", path, "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=620") < 0)
    die("devpts", path);
  snprintf(path, sizeof path, "%s/ptmx", target);
  if (symlink("pts/ptmx", path) < 0) die("symlink", path);
}

/* The steps, in order. */
static void run_steps(const struct options *o) {
  mode_t perms = 0755;
  int have_perms = 0;
  for (size_t i = 0; i < o->nsteps; i++) {
    char **arg = o->steps[i];
    const char *op = arg[0];
    mode_t mode = have_perms ? perms : 0755;
    have_perms = 0;
    if (strcmp(op, "--perms") == 0) {
      perms = (mode_t)strtoul(arg[1], NULL, 8);
      have_perms = 1;
    } else if (strcmp(op, "--ro-bind") == 0 || strcmp(op, "--bind") == 0 ||
               strcmp(op, "--dev-bind") == 0) {
      enum bind_kind kind = op[2] == 'r' ? RO_BIND : op[2] == 'b' ? BIND : DEV_BIND;
      char source[4096];
      snprintf(source, sizeof source, "%s", joined("/oldroot", arg[1]));
      bind_mount(source, in_newroot(arg[2], 0), kind, 1);
    } else if (strcmp(op, "--tmpfs") == 0) {
      tmpfs(in_newroot(arg[1], 0), mode);
    } else if (strcmp(op, "--dir") == 0) {
      make_dir(in_newroot(arg[1], 0), mode);
    } else if (strcmp(op, "--symlink") == 0) {
      symlink_at(arg[1], in_newroot(arg[2], 1));
    } else if (strcmp(op, "--proc") == 0) {
      proc(in_newroot(arg[1], 0));
    } else if (strcmp(op, "--dev") == 0) {
      dev(in_newroot(arg[1], 0));
    } else if (strcmp(op, "--remount-ro") == 0) {
      set_attr(in_newroot(arg[1], 0), MOUNT_ATTR_RDONLY, 0);
    }
  }
}

/*
 * Each bind's source as the host names it, symlinks resolved while the host's root is still /
 * (bwrap's resolve_symlinks_in_ops): after the pivot an absolute link would resolve in the new
 * tmpfs root instead.
 */
static void resolve_sources(const struct options *o) {
  for (size_t i = 0; i < o->nsteps; i++) {
    char **arg = o->steps[i];
    if (strcmp(arg[0], "--ro-bind") != 0 && strcmp(arg[0], "--bind") != 0 &&
        strcmp(arg[0], "--dev-bind") != 0)
      continue;
    char *resolved = realpath(arg[1], NULL);
    if (resolved == NULL) die("source", arg[1]);
    arg[1] = resolved;
  }
}

/* The job's mount namespace: its root built at /newroot, then made /. */
static void make_root(const struct options *o) {
  resolve_sources(o);
  /* Private, not bwrap's slave: a mount the host makes later under a bound directory (an
   * automount, removable media) would otherwise appear in the job, writable and without nosuid. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make / private", NULL);
  if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, NULL) < 0) die("tmpfs", "/tmp");
  if (chdir("/tmp") < 0) die("chdir", "/tmp");
  if (mkdir("newroot", 0755) < 0) die("mkdir", "newroot");
  if (mount("newroot", "newroot", NULL, MS_BIND | MS_REC, NULL) < 0) die("bind", "newroot");
  if (mkdir("oldroot", 0755) < 0) die("mkdir", "oldroot");
  if (syscall(SYS_pivot_root, "/tmp", "oldroot") < 0) die("pivot_root", "/tmp");
  if (chdir("/") < 0) die("chdir", "/");
  run_steps(o);
  if (mount("oldroot", "oldroot", NULL, MS_REC | MS_PRIVATE, NULL) < 0) die("make private", "/oldroot");
  if (umount2("oldroot", MNT_DETACH) < 0) die("detach", "/oldroot");
  int old = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (old < 0) die("open", "/");
  if (chdir("/newroot") < 0) die("chdir", "/newroot");
  if (syscall(SYS_pivot_root, ".", ".") < 0) die("pivot_root", "/newroot");
  if (fchdir(old) < 0) die("fchdir", "the old root");
  if (umount2(".", MNT_DETACH) < 0) die("detach", "the old root");
  close(old);
  if (chdir("/") < 0) die("chdir", "/");
}

/* ---- capabilities and user ---- */

static void set_credentials(const struct options *o) {
  for (int cap = 0; cap < 64; cap++) {
    int has = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (has < 0) break; /* past the kernel's last capability */
    if (has && (o->caps & (1ULL << cap)) == 0 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      die("drop from the bounding set", NULL);
  }
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
  struct __user_cap_data_struct data[2];
  /* The inheritable set first, keeping this process's other sets: the user switch below needs
   * CAP_SETGID and CAP_SETUID even when the job keeps neither (--cap-drop ALL --user N). */
  if (syscall(SYS_capget, &header, data) < 0) die("capget", NULL);
  for (int i = 0; i < 2; i++) data[i].inheritable = (uint32_t)(o->caps >> (32 * i));
  if (syscall(SYS_capset, &header, data) < 0) die("capset", NULL);
  if (o->have_user) {
    if (setgroups(o->ngroups, o->groups) < 0) die("setgroups", NULL);
    if (setresgid(o->gid, o->gid, o->gid) < 0) die("setresgid", NULL);
    if (setresuid(o->uid, o->uid, o->uid) < 0) die("setresuid", NULL);
  }
  /* Then exactly the job's sets: the mask for root, nothing permitted or effective for another
   * user (what the kernel's setuid fixup does, made explicit, whatever the securebits). */
  uint64_t held = o->have_user && o->uid != 0 ? 0 : o->caps;
  for (int i = 0; i < 2; i++) {
    uint32_t word = (uint32_t)(held >> (32 * i));
    data[i] = (struct __user_cap_data_struct){ .effective = word,
                                               .permitted = word,
                                               .inheritable = (uint32_t)(o->caps >> (32 * i)) };
  }
  if (syscall(SYS_capset, &header, data) < 0) die("capset", NULL);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) die("clear ambient", NULL);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die("no_new_privs", NULL);
}

/* ---- the two processes ---- */

/* The job's PID 1: the sandbox, the go, the credentials, the command. */
static void job(const struct options *o, int setup_done) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("pdeathsig", NULL);
  if (o->info_fd >= 0) close(o->info_fd);
  if (o->status_fd >= 0) close(o->status_fd);
  mode_t old_umask = umask(0);
  loopback_up();
  if (o->hostname != NULL && sethostname(o->hostname, strlen(o->hostname)) < 0)
    die("hostname", o->hostname);
  make_root(o);
  if (o->block_fd >= 0) {
    char byte;
    while (read(o->block_fd, &byte, 1) < 0 && errno == EINTR) {
    }
    close(o->block_fd);
  }
  /* Its veth peer exists now: rnx made it before the go. */
  if (o->eth0_address != NULL) eth0_up(o->eth0_address, o->eth0_gateway);
  /* The directory first, as root (bwrap changes to it before setpriv switches the user). */
  const char *cwd = o->chdir != NULL ? o->chdir : "/";
  if (chdir(cwd) < 0) die("chdir", cwd);
  setenv("PWD", cwd, 1);
  set_credentials(o);
  umask(old_umask);
  if (o->new_session && setsid() < 0) die("setsid", NULL);
  /* Again: a change of user clears the parent-death signal. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("pdeathsig", NULL);
  if (setup_done >= 0) {
    char byte = 0;
    while (write(setup_done, &byte, 1) < 0 && errno == EINTR) {
    }
  }
  /* Only stdin, stdout and stderr reach the command: whatever else was inherited goes at exec. */
  if (syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) < 0) {
    for (int fd = 3; fd < 1024; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  execvp(o->command[0], o->command);
  int saved = errno;
  fprintf(stderr, "rnx-sandbox: cannot execute %s: %s\n", o->command[0], strerror(saved));
  _exit(saved == ENOENT ? 127 : 126);
}

static void write_all(int fd, const char *text) {
  for (size_t len = strlen(text); len > 0;) {
    ssize_t n = write(fd, text, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text += n;
    len -= (size_t)n;
  }
}

/* Closes every fd from 3 up except `keep` (sorted ascending, -1 entries ignored). */
static void close_others(const int *keep, size_t n) {
  unsigned from = 3;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && (keep[i] < 0 || (unsigned)keep[i] < from)) continue;
    unsigned to = i < n ? (unsigned)keep[i] - 1 : ~0U;
    if (to >= from && syscall(SYS_close_range, from, to, 0) < 0)
      for (unsigned fd = from; fd <= to && fd < 4096; fd++) close((int)fd);
    if (i < n) from = (unsigned)keep[i] + 1;
  }
}

int serve(void); /* serve.c: `rnx-sandbox --serve` */
int sandbox(int argc, char **argv);

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--serve") == 0) return serve();
  return sandbox(argc, argv);
}

/* One job's sandbox, from its command line: run by main, or by `--serve` in a fork of itself. */
int sandbox(int argc, char **argv) {
  struct options o;
  parse(&o, argc, argv + 1);
  pid_t parent = getppid();
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) die("pdeathsig", NULL);
  if (getppid() != parent) _exit(1); /* rnx is already gone */
  int setup[2] = { -1, -1 };
  if (o.status_fd >= 0 && pipe2(setup, O_CLOEXEC) < 0) die("pipe", NULL);
  cgroups_make(&o.cgroups);
  long flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD;
  pid_t pid = (pid_t)syscall(SYS_clone, flags, 0, 0, 0, 0);
  if (pid < 0) {
    int saved = errno;
    cgroups_finish(&o.cgroups, -1);
    errno = saved;
    die("clone", NULL);
  }
  if (pid == 0) {
    if (setup[0] >= 0) close(setup[0]);
    job(&o, setup[1]);
  }
  signal(SIGPIPE, SIG_IGN);
  if (setup[1] >= 0) close(setup[1]);
  /* Into its cgroups before anyone learns its pid (it starts nothing while it sets up): a stop
   * that comes right after the go finds it there. */
  char failed[4096];
  if (cgroups_join(&o.cgroups, pid, failed, sizeof failed) < 0) {
    int saved = errno;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    cgroups_finish(&o.cgroups, -1);
    errno = saved;
    die("cgroup join", failed);
  }
  char text[64];
  if (o.info_fd >= 0) {
    snprintf(text, sizeof text, "{\n    \"child-pid\": %d\n}\n", (int)pid);
    write_all(o.info_fd, text);
    close(o.info_fd);
  }
  if (o.status_fd >= 0) {
    snprintf(text, sizeof text, "{ \"child-pid\": %d }\n", (int)pid);
    write_all(o.status_fd, text);
  }
  int keep[2] = { o.status_fd < setup[0] ? o.status_fd : setup[0],
                  o.status_fd < setup[0] ? setup[0] : o.status_fd };
  close_others(keep, 2);
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) die("wait", NULL);
  }
  cgroups_finish(&o.cgroups, o.status_fd);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 255;
  if (o.status_fd >= 0) {
    char bytes[2];
    ssize_t n;
    while ((n = read(setup[0], bytes, sizeof bytes)) < 0 && errno == EINTR) {
    }
    if (n == 1) {
      snprintf(text, sizeof text, "{ \"exit-code\": %d }\n", code);
      write_all(o.status_fd, text);
    }
  }
  return code;
}
