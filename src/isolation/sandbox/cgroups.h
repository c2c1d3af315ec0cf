/* The job's cgroups in rnx-sandbox (cgroups.c says what each option does). */
#ifndef RNX_SANDBOX_CGROUPS_H
#define RNX_SANDBOX_CGROUPS_H
#include <stddef.h>
#include <sys/types.h>

struct cgroup_dir {
  const char *path;
  int optional, made;
};

struct cgroup_write {
  const char *file, *value;
  int optional;
};

struct cgroup_read {
  const char *name, *file, *token;
};

struct cgroups {
  struct cgroup_dir *dirs;
  struct cgroup_write *writes;
  struct cgroup_read *reads;
  size_t ndirs, nwrites, nreads;
};

/* Room for `max` options of each kind. */
void cgroups_init(struct cgroups *c, size_t max);
/* How many arguments the option `op` takes; 0 when it is not a cgroup option. */
int cgroups_arity(const char *op);
/* Takes one option: arg[0] and its arguments. */
void cgroups_option(struct cgroups *c, char **arg);
/* Before the clone: the directories made, the limits written; exits 1 on a failure. */
void cgroups_make(struct cgroups *c);
/* Moves process `pid` into every directory made; -1 with the failed file in `why`. */
int cgroups_join(const struct cgroups *c, pid_t pid, char *why, size_t size);
/* After the end: readings, removal, the report on `status_fd` (when >= 0). */
void cgroups_finish(struct cgroups *c, int status_fd);

#endif
