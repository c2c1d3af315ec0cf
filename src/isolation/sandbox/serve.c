/*
 * `rnx-sandbox --serve`: starts jobs' sandbox programs for rnx, one process for a whole workflow
 * (src/isolation/sandbox/sandbox-server.ts speaks to it). It replaces Node's spawn() from rnx or
 * from a Node spawner process: a fork of this small process, then an exec, instead of a fork of a
 * 60 to 130 MB Node process. For each request it opens the job's FIFOs by path, makes the pipes
 * for the start protocol's info and status fds, forks, and execs the program in a session of its
 * own (rnx-sandbox itself, the usual program, runs in the fork without an exec: exec_child); then
 * it follows each child: its pid, the job's PID 1 (the info fd), the command's exit code
 * (the status fd) and how the program ended.
 *
 * Requests, on stdin: a 4-byte little-endian length, then that many bytes of NUL-terminated
 * fields: ID, FILE, ARGC, ARGV..., ENVC, ENV..., NFDS, one spec per fd (`-` none, or /dev/null
 * for 0 to 2; `|` a pipe this process reads; `w/PATH` opened write-only; `+/PATH` opened
 * read-write), INFO-FD, STATUS-FD (which of the pipes is which).
 * Replies, on stdout, one line each: `ID spawned PID`, `ID info PID`, `ID closed CODE SIGNAL
 * EXIT-CODE [CGROUP]` (CODE -1 when killed by SIGNAL, SIGNAL 0 when it exited, EXIT-CODE -1 when
 * the status fd said none; CGROUP: the status fd's `{ "cgroup": ... }` line, cgroups.c, when it
 * said one), `ID error ERRNO-TEXT` (could not be started: a FIFO or the exec failed).
 * It ends at the end of stdin (rnx gone or done), and with rnx by its parent-death signal; the
 * programs it started end with it (their own parent-death signal).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_FDS 16
#define MAX_FIELDS 65536

struct child {
  char id[24];
  pid_t pid;
  int info_fd, status_fd;
  char info[256], status[4096];
  size_t info_len, status_len;
  int exited, wait_status;
  struct child *next;
};

static struct child *children;

/* This program's own file: a request to start it runs it in the fork, without an exec. */
static struct stat self;

int sandbox(int argc, char **argv); /* rnx-sandbox.c: one job's sandbox */

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
  char line[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  size_t len = (size_t)n;
  if (len >= sizeof line) {
    /* Cut, but still one line: the reader splits replies at newlines. */
    len = sizeof line - 1;
    line[len - 1] = '\n';
  }
  for (const char *p = line; len > 0;) {
    ssize_t w = write(STDOUT_FILENO, p, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) _exit(0); /* rnx is gone */
    p += w;
    len -= (size_t)w;
  }
}

static int read_full(int fd, void *buf, size_t len) {
  for (char *p = buf; len > 0;) {
    ssize_t n = read(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

/* The first number after "child-pid" in what the info fd said, or -1. */
static long child_pid_in(const char *text) {
  const char *at = strstr(text, "\"child-pid\"");
  if (at == NULL) return -1;
  at += strlen("\"child-pid\"");
  while (*at == ' ' || *at == ':' || *at == '\n' || *at == '\t') at++;
  char *end;
  long pid = strtol(at, &end, 10);
  return end == at ? -1 : pid;
}

/* The last "exit-code" the status fd said, or -1. */
static long exit_code_in(const char *text) {
  long code = -1;
  for (const char *at = strstr(text, "\"exit-code\""); at != NULL;
       at = strstr(at + 1, "\"exit-code\"")) {
    const char *p = at + strlen("\"exit-code\"");
    while (*p == ' ' || *p == ':') p++;
    char *end;
    long value = strtol(p, &end, 10);
    if (end != p) code = value;
  }
  return code;
}

/* The status fd's `{ "cgroup": ... }` line (rnx-sandbox's report of the job's cgroups), its
 * newline cut, or "" when there is none. */
static const char *cgroup_line_in(char *text) {
  char *at = strstr(text, "{ \"cgroup\"");
  if (at == NULL) return "";
  char *nl = strchr(at, '\n');
  if (nl == NULL) return ""; /* cut short: not whole */
  *nl = '\0';
  return at;
}

static void finish_if_done(struct child *c) {
  if (!c->exited || c->status_fd >= 0 || c->info_fd >= 0) return;
  int st = c->wait_status;
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  int sig = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
  c->status[c->status_len] = '\0';
  long exit_code = exit_code_in(c->status);
  const char *cgroup = cgroup_line_in(c->status);
  reply("%s closed %d %d %ld%s%s\n", c->id, code, sig, exit_code, *cgroup ? " " : "", cgroup);
  for (struct child **p = &children; *p != NULL; p = &(*p)->next) {
    if (*p == c) {
      *p = c->next;
      break;
    }
  }
  free(c);
}

/*
 * In the forked child: the fds as asked, a session of its own, default signals, then the exec;
 * or, when the program is this one, what the exec would run, without it: the fds the exec would
 * close closed (the report pipe too, which says the program started), then its main. A static
 * binary's start costs a job more than its own work: glibc probes the CPU's caches with CPUID,
 * which traps to the hypervisor here (perf: 6% of two cores' time in a 300-job workflow).
 */
static void exec_child(char **specs, int nfds, int *src, int report, char *file, char **argv,
                       char **envp, pid_t server) {
  struct stat st;
  int same = stat(file, &st) == 0 && st.st_dev == self.st_dev && st.st_ino == self.st_ino;
  int moved[MAX_FDS];
  /* Out of the way of the fds being set (0 to nfds - 1): the report must survive until the exec. */
  int moved_report = fcntl(report, F_DUPFD_CLOEXEC, 64);
  if (moved_report < 0) goto failed;
  report = moved_report;
  /* Killed with the server until the exec; the program then sets its own. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != server) goto failed;
  for (int i = 0; i < nfds; i++) {
    const char *spec = specs[i];
    int fd = src[i];
    if (spec[0] == 'w') {
      /* A FIFO without a reader fails here (ENXIO) instead of waiting for one. */
      fd = open(spec + 1, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
      if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) goto failed;
    } else if (spec[0] == '+') {
      fd = open(spec + 1, O_RDWR | O_CLOEXEC | O_NOCTTY);
    } else if (spec[0] == '-' && i <= 2) {
      fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    }
    if ((spec[0] != '-' || i <= 2) && fd < 0) goto failed;
    moved[i] = fd < 0 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 64);
    if (fd >= 0 && moved[i] < 0) goto failed;
  }
  for (int i = 0; i < nfds; i++) {
    if (moved[i] >= 0 && dup2(moved[i], i) < 0) goto failed;
    if (moved[i] < 0) close(i);
  }
  /* Everything else is closed by the exec (the report pipe too, which says the exec happened). */
  if (syscall(SYS_close_range, (unsigned)nfds, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */) < 0) {
    for (int fd = nfds; fd < 1024; fd++)
      if (fd != report) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  if (setsid() < 0) goto failed;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  if (same) {
    if (syscall(SYS_close_range, (unsigned)nfds, ~0U, 0) < 0)
      for (int fd = nfds; fd < 1024; fd++) close(fd);
    environ = envp;
    int argc = 0;
    while (argv[argc] != NULL) argc++;
    _exit(sandbox(argc, argv));
  }
  execve(file, argv, envp);
failed:;
  int e = errno;
  while (write(report, &e, sizeof e) < 0 && errno == EINTR) {
  }
  _exit(127);
}

/* A count field: digits only, at most `max`; -1 otherwise. */
static long count_of(const char *text, long max) {
  if (text == NULL || *text == '\0' || strspn(text, "0123456789") != strlen(text)) return -1;
  errno = 0;
  long value = strtol(text, NULL, 10);
  return errno != 0 || value > max ? -1 : value;
}

/* One request: its fields, already split. */
static void start(char **f, size_t nf) {
  size_t at = 0;
#define NEXT() (at < nf ? f[at++] : NULL)
  char *id = NEXT(), *file = NEXT();
  if (id == NULL) return;
  if (strlen(id) >= sizeof ((struct child *)0)->id || count_of(id, 0x7fffffff) <= 0) {
    reply("0 error bad request id\n");
    return;
  }
  char *field = NEXT();
  long argc = count_of(field, (long)(nf - at));
  char **argv = argc < 0 || file == NULL ? NULL : calloc((size_t)argc + 1, sizeof *argv);
  if (argv == NULL) {
    reply("%s error bad request\n", id);
    return;
  }
  for (long i = 0; i < argc; i++) argv[i] = NEXT();
  field = NEXT();
  long envc = count_of(field, (long)(nf - at));
  char **envp = envc < 0 ? NULL : calloc((size_t)envc + 1, sizeof *envp);
  if (envp == NULL) {
    reply("%s error bad request\n", id);
    free(argv);
    return;
  }
  for (long i = 0; i < envc; i++) envp[i] = NEXT();
  long nfds = count_of(NEXT(), MAX_FDS);
  char *specs[MAX_FDS];
  for (long i = 0; i < nfds; i++) {
    specs[i] = NEXT();
    if (specs[i] == NULL || strchr("-|w+", specs[i][0]) == NULL || specs[i][0] == '\0') nfds = -1;
  }
  long info_index = count_of(NEXT(), MAX_FDS), status_index = count_of(NEXT(), MAX_FDS);
#undef NEXT
  if (nfds < 3 || info_index < 3 || status_index < 3 || info_index >= nfds ||
      status_index >= nfds || info_index == status_index || specs[info_index][0] != '|' ||
      specs[status_index][0] != '|') {
    reply("%s error bad request\n", id);
    free(argv);
    free(envp);
    return;
  }

  int src[MAX_FDS], mine[MAX_FDS];
  for (int i = 0; i < MAX_FDS; i++) src[i] = mine[i] = -1;
  for (int i = 0; i < nfds; i++) {
    if (specs[i][0] == '|') {
      int p[2];
      if (pipe2(p, O_CLOEXEC) < 0) {
        reply("%s error pipe: %s\n", id, strerror(errno));
        goto done;
      }
      mine[i] = p[0];
      src[i] = p[1];
    }
  }
  int report[2];
  if (pipe2(report, O_CLOEXEC) < 0) {
    reply("%s error pipe: %s\n", id, strerror(errno));
    goto done;
  }
  pid_t server = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    close(report[0]);
    exec_child(specs, (int)nfds, src, report[1], file, argv, envp, server);
  }
  close(report[1]);
  int e = 0;
  int failed = pid < 0 ? (e = errno, 1) : read_full(report[0], &e, sizeof e) == 0;
  close(report[0]);
  if (failed) {
    if (pid > 0) waitpid(pid, NULL, 0);
    reply("%s error %s: %s\n", id, file, strerror(e));
    goto done;
  }
  struct child *c = calloc(1, sizeof *c);
  if (c == NULL) _exit(1); /* out of memory: rnx sees the server end, and every job with it */
  snprintf(c->id, sizeof c->id, "%s", id);
  c->pid = pid;
  c->info_fd = info_index >= 0 && info_index < nfds ? mine[info_index] : -1;
  c->status_fd = status_index >= 0 && status_index < nfds ? mine[status_index] : -1;
  for (int i = 0; i < nfds; i++) {
    if (mine[i] >= 0 && mine[i] != c->info_fd && mine[i] != c->status_fd) close(mine[i]);
    mine[i] = -1;
  }
  c->next = children;
  children = c;
  reply("%s spawned %d\n", id, (int)pid);
done:
  for (int i = 0; i < nfds; i++) {
    if (src[i] >= 0) close(src[i]);
    if (mine[i] >= 0) close(mine[i]);
  }
  free(argv);
  free(envp);
}

/* Reads what a child's info or status fd has; its end closes it (and may finish the child). */
static void drain(struct child *c, int is_info) {
  int *fd = is_info ? &c->info_fd : &c->status_fd;
  char *buf = is_info ? c->info : c->status;
  size_t *len = is_info ? &c->info_len : &c->status_len;
  size_t size = is_info ? sizeof c->info : sizeof c->status;
  char scratch[256];
  ssize_t n = read(*fd, *len + 1 < size ? buf + *len : scratch,
                   *len + 1 < size ? size - 1 - *len : sizeof scratch);
  if (n < 0 && errno == EINTR) return;
  if (n > 0) {
    if (*len + 1 < size) *len += (size_t)n;
    buf[*len] = '\0';
    if (is_info && child_pid_in(buf) > 0) {
      reply("%s info %ld\n", c->id, child_pid_in(buf));
      close(*fd);
      *fd = -1;
    }
    return;
  }
  close(*fd);
  *fd = -1;
}

int serve(void) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return 1;
  if (stat("/proc/self/exe", &self) < 0) self.st_ino = 0;
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 1;
  signal(SIGPIPE, SIG_IGN);
  for (;;) {
    size_t n = 2;
    for (struct child *c = children; c != NULL; c = c->next) n += 2;
    struct pollfd *fds = calloc(n, sizeof *fds);
    struct child **owner = calloc(n, sizeof *owner);
    int *is_info = calloc(n, sizeof *is_info);
    size_t k = 0;
    fds[k++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
    fds[k++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
    for (struct child *c = children; c != NULL; c = c->next) {
      if (c->info_fd >= 0) {
        owner[k] = c;
        is_info[k] = 1;
        fds[k++] = (struct pollfd){ .fd = c->info_fd, .events = POLLIN };
      }
      if (c->status_fd >= 0) {
        owner[k] = c;
        fds[k++] = (struct pollfd){ .fd = c->status_fd, .events = POLLIN };
      }
    }
    if (poll(fds, k, -1) < 0 && errno != EINTR) return 1;
    int request = fds[0].revents != 0;
    /* Pipes first, then exits: a child's last words come before its end. */
    for (size_t i = 2; i < k; i++) {
      if (fds[i].revents != 0) drain(owner[i], is_info[i]);
    }
    if (fds[1].revents != 0) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {
      }
      int st;
      pid_t pid;
      while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
        for (struct child *c = children; c != NULL; c = c->next) {
          if (c->pid == pid) {
            c->exited = 1;
            c->wait_status = st;
            break;
          }
        }
      }
    }
    for (struct child *c = children, *next; c != NULL; c = next) {
      next = c->next;
      finish_if_done(c);
    }
    free(fds);
    free(owner);
    free(is_info);
    if (!request) continue;
    uint32_t len;
    if (read_full(STDIN_FILENO, &len, sizeof len) < 0) return 0; /* rnx is done */
    if (len > (1U << 24)) {
      /* Too large to be rnx's: read past it and say so (its id is not known). */
      for (char skip[4096]; len > 0;) {
        size_t part = len < sizeof skip ? len : sizeof skip;
        if (read_full(STDIN_FILENO, skip, part) < 0) return 0;
        len -= (uint32_t)part;
      }
      reply("0 error request too large\n");
      continue;
    }
    char *frame = malloc(len + 1);
    if (frame == NULL || read_full(STDIN_FILENO, frame, len) < 0) return 0;
    frame[len] = '\0';
    char **fields = calloc(MAX_FIELDS, sizeof *fields);
    size_t nf = 0;
    for (size_t p = 0; p < len && nf < MAX_FIELDS; p += strlen(frame + p) + 1) fields[nf++] = frame + p;
    start(fields, nf);
    free(fields);
    free(frame);
  }
}
