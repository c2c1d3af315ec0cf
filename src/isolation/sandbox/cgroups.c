/*
 * The job's cgroups, owned by rnx-sandbox from their making to their removal, so that rnx's one
 * thread makes no cgroup system call for a job (src/isolation/cgroups/sandbox-cgroups.ts builds
 * these options; the README says why). Options, all repeatable, in the order rnx gives them:
 *
 *   --cgroup DIR          made before the clone; the job's PID 1 is moved into it right after
 *                         (before its pid is said on the info fd: whoever has the pid finds it
 *                         in its cgroups, and a stop signals it there); removed after the
 *                         job's end. A failure to make or join it fails the start.
 *   --cgroup-if DIR       the same where it can be made (the unified directory of a hybrid
 *                         layout, kept for cgroup.kill only); skipped otherwise.
 *   --cgroup-set FILE VALUE
 *                         written once the directories exist, before the clone (a v1 cpuset
 *                         takes no process until its cpus and mems are set). A failure fails the
 *                         start.
 *   --cgroup-try FILE VALUE
 *                         the same, its failure ignored (memory+swap without swap accounting).
 *   --cgroup-read NAME FILE TOKEN
 *                         read after the job's end, before the removal: the sum of the numbers
 *                         that follow each TOKEN in FILE (TOKEN `=`: the file is one number),
 *                         reported as NAME. A file that cannot be read is left out.
 *
 * After the job's PID 1 has ended (every process of its PID namespace with it), the readings
 * are taken, the directories removed (a process of the job outside its namespace, an exec
 * probe's, is killed when one stays: the kernel's cgroup.kill, then each listed pid), and one
 * line goes to the status fd before the exit code:
 *   { "cgroup": { "removed": true|false, NAME: N, ... } }
 * `removed: false`: some directory is still there; rnx removes it (cgroups/procs.ts).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cgroups.h"

void cgroups_init(struct cgroups *c, size_t max) {
  *c = (struct cgroups){ 0 };
  c->dirs = calloc(max + 1, sizeof *c->dirs);
  c->writes = calloc(max + 1, sizeof *c->writes);
  c->reads = calloc(max + 1, sizeof *c->reads);
  if (c->dirs == NULL || c->writes == NULL || c->reads == NULL) {
    perror("rnx-sandbox: calloc");
    _exit(1);
  }
}

/* How many arguments a cgroup option takes (0: not one). */
int cgroups_arity(const char *op) {
  if (strcmp(op, "--cgroup") == 0 || strcmp(op, "--cgroup-if") == 0) return 1;
  if (strcmp(op, "--cgroup-set") == 0 || strcmp(op, "--cgroup-try") == 0) return 2;
  if (strcmp(op, "--cgroup-read") == 0) return 3;
  return 0;
}

void cgroups_option(struct cgroups *c, char **arg) {
  const char *op = arg[0];
  int optional = strcmp(op, "--cgroup-if") == 0 || strcmp(op, "--cgroup-try") == 0;
  if (strcmp(op, "--cgroup") == 0 || strcmp(op, "--cgroup-if") == 0) {
    c->dirs[c->ndirs++] = (struct cgroup_dir){ .path = arg[1], .optional = optional };
  } else if (strcmp(op, "--cgroup-read") == 0) {
    c->reads[c->nreads++] = (struct cgroup_read){ .name = arg[1], .file = arg[2], .token = arg[3] };
  } else {
    c->writes[c->nwrites++] =
        (struct cgroup_write){ .file = arg[1], .value = arg[2], .optional = optional };
  }
}

static int write_file(const char *file, const char *text) {
  int fd = open(file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = saved;
  return n < 0 ? -1 : 0;
}

/* Removes the directories made so far, last first; the number still there. */
static size_t remove_made(struct cgroups *c) {
  size_t left = 0;
  for (size_t i = c->ndirs; i-- > 0;) {
    if (!c->dirs[i].made) continue;
    if (rmdir(c->dirs[i].path) == 0 || errno == ENOENT) c->dirs[i].made = 0;
    else left++;
  }
  return left;
}

void cgroups_make(struct cgroups *c) {
  for (size_t i = 0; i < c->ndirs; i++) {
    struct cgroup_dir *d = &c->dirs[i];
    if (mkdir(d->path, 0755) == 0) {
      d->made = 1;
      continue;
    }
    if (d->optional) continue;
    int saved = errno;
    remove_made(c);
    errno = saved;
    fprintf(stderr, "rnx-sandbox: cgroup %s: %s\n", d->path, strerror(saved));
    _exit(1);
  }
  for (size_t i = 0; i < c->nwrites; i++) {
    struct cgroup_write *w = &c->writes[i];
    if (write_file(w->file, w->value) == 0 || w->optional) continue;
    int saved = errno;
    remove_made(c);
    fprintf(stderr, "rnx-sandbox: cgroup set %s %s: %s\n", w->file, w->value, strerror(saved));
    _exit(1);
  }
}

int cgroups_join(const struct cgroups *c, pid_t pid, char *why, size_t size) {
  char text[32];
  snprintf(text, sizeof text, "%d", (int)pid);
  for (size_t i = 0; i < c->ndirs; i++) {
    const struct cgroup_dir *d = &c->dirs[i];
    if (!d->made) continue;
    char file[4096];
    snprintf(file, sizeof file, "%s/cgroup.procs", d->path);
    if (write_file(file, text) < 0) {
      snprintf(why, size, "%s", file);
      return -1;
    }
  }
  return 0;
}

/* The sum of the numbers after each `token` in `file` (`=`: the file is one number); -1 if none. */
static long long reading(const char *file, const char *token) {
  char text[8192];
  int fd = open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, text, sizeof text - 1);
  close(fd);
  if (n <= 0) return -1;
  text[n] = '\0';
  if (strcmp(token, "=") == 0) {
    char *end;
    long long value = strtoll(text, &end, 10);
    return end == text ? -1 : value;
  }
  long long sum = -1;
  size_t len = strlen(token);
  for (const char *at = strstr(text, token); at != NULL; at = strstr(at + len, token)) {
    /* A token starts a line or a word: "oom_kill " is not found in "xoom_kill ". */
    if (at != text && at[-1] != '\n' && at[-1] != ' ') continue;
    char *end;
    long long value = strtoll(at + len, &end, 10);
    if (end == at + len) continue;
    sum = (sum < 0 ? 0 : sum) + value;
  }
  return sum;
}

static void pause_us(long us) {
  struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/* Kills what is still in a directory: its cgroup.kill when there is one, then each listed pid. */
static void kill_left(const struct cgroups *c) {
  for (size_t i = 0; i < c->ndirs; i++) {
    const struct cgroup_dir *d = &c->dirs[i];
    if (!d->made) continue;
    char file[4096], text[8192];
    snprintf(file, sizeof file, "%s/cgroup.kill", d->path);
    write_file(file, "1");
    snprintf(file, sizeof file, "%s/cgroup.procs", d->path);
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) continue;
    text[n] = '\0';
    for (char *p = text, *end; *p != '\0'; p = end) {
      long pid = strtol(p, &end, 10);
      if (end == p) break;
      if (pid > 1) kill((pid_t)pid, SIGKILL);
    }
  }
}

void cgroups_finish(struct cgroups *c, int status_fd) {
  char line[2048];
  size_t len = 0;
  for (size_t i = 0; i < c->nreads && len < sizeof line - 128; i++) {
    long long value = reading(c->reads[i].file, c->reads[i].token);
    if (value >= 0)
      len += (size_t)snprintf(line + len, sizeof line - len, ", \"%s\": %lld", c->reads[i].name,
                              value);
  }
  /* What an ended PID namespace leaves takes the kernel a moment to release: short waits, up to
   * about two seconds in all, killing what stays after the first few. */
  size_t left = remove_made(c);
  long wait_us = 50, waited_us = 0;
  for (int attempt = 0; left > 0 && waited_us < 2000000; attempt++) {
    if (attempt >= 3) kill_left(c);
    pause_us(wait_us);
    waited_us += wait_us;
    if (wait_us < 50000) wait_us *= 2;
    left = remove_made(c);
  }
  if (status_fd < 0) return;
  char report[2200];
  int n = snprintf(report, sizeof report, "{ \"cgroup\": { \"removed\": %s%.*s } }\n",
                   left == 0 ? "true" : "false", (int)len, line);
  for (const char *p = report; n > 0;) {
    ssize_t w = write(status_fd, p, (size_t)n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (int)w;
  }
}
