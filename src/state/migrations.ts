/**
 * Versioned schema migrations, applied in order inside one transaction each. A migration is never
 * edited once it has landed: add a new one. Version numbers are reserved per area so that work on
 * separate areas never collides:
 *   1 core (meta)   2 networks and leases   3 jobs   4 workflow runs   5 volumes and runtimes
 *   6 workflow run owners   11 job services (stop signal and grace, ready time)
 *   13 workflow pipelines (outputs, reruns)   16 detached jobs (why rnx ended one)
 *   17 job users (who a job runs as)
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'core',
    sql: `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;`,
  },
  {
    // Custom networks (built-ins are constants in src/networks/builtins.ts), IP leases with their
    // owner, and the allocator's state: a next-fit cursor and the free address ranges of every
    // network, indexed at both ends so that leasing and releasing cost O(log n) for any size.
    version: 2,
    name: 'networks and leases',
    sql: `
CREATE TABLE networks (
  name TEXT PRIMARY KEY,
  cidr TEXT NOT NULL,
  base INTEGER NOT NULL,
  prefix INTEGER NOT NULL,
  bridge TEXT NOT NULL UNIQUE,
  internal INTEGER NOT NULL,
  created_at TEXT NOT NULL
) STRICT;
CREATE TABLE leases (
  network TEXT NOT NULL,
  address INTEGER NOT NULL,
  job_id TEXT NOT NULL UNIQUE,
  pid INTEGER NOT NULL,
  pid_start INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (network, address)
) STRICT, WITHOUT ROWID;
CREATE INDEX leases_owner ON leases (pid, pid_start);
CREATE TABLE lease_cursors (
  network TEXT PRIMARY KEY,
  next INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE free_ranges (
  network TEXT NOT NULL,
  first INTEGER NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (network, last)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX free_ranges_first ON free_ranges (network, first);
`,
  },
  {
    version: 3,
    name: 'jobs',
    // One row per job. Environment variables are kept by name only (secret values never reach the
    // database). `active` is 1 while the job may still hold host resources (processes, cgroups,
    // a veth, a lease); the partial index makes "did a killed rnx leave anything?" one cheap query.
    sql: `CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  name TEXT,
  workflow_run_id TEXT,
  command TEXT NOT NULL,
  env_names TEXT NOT NULL,
  secret_names TEXT NOT NULL,
  network TEXT NOT NULL,
  address TEXT,
  resources TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('PENDING','RUNNING','COMPLETED','FAILED','STOPPED','CANCELED')),
  reason TEXT,
  message TEXT,
  exit_code INTEGER,
  signal TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT,
  owner_pid INTEGER NOT NULL,
  owner_start INTEGER NOT NULL,
  init_pid INTEGER,
  init_start INTEGER,
  cgroup TEXT,
  veth TEXT,
  run_dir TEXT,
  log_path TEXT NOT NULL,
  stop_requested_at TEXT,
  active INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX jobs_active ON jobs (active) WHERE active = 1;
CREATE INDEX jobs_created ON jobs (created_at);
CREATE INDEX jobs_name ON jobs (name);`,
  },
  {
    version: 5,
    name: 'volumes and runtimes',
    sql: `
      CREATE TABLE volumes (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
      ) STRICT;
      -- A running job's use of a volume, owned by the rnx process that runs the job (pid and its
      -- start time), so that a use left by a killed rnx can be told from a live one.
      CREATE TABLE volume_uses (
        volume TEXT NOT NULL REFERENCES volumes (name) ON DELETE CASCADE,
        job_id TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        owner_start_time INTEGER NOT NULL,
        PRIMARY KEY (volume, job_id)
      ) STRICT;
      CREATE TABLE runtimes (
        name TEXT PRIMARY KEY,
        root TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'workflow runs',
    // One row per run, one per job of the run (its latest state), one per attempt of a job (the
    // attempt's job id points into the jobs table, so `rnx job log ID` works for workflow jobs).
    sql: `
      CREATE TABLE workflow_runs (
        id TEXT PRIMARY KEY,
        workflow TEXT NOT NULL,
        file TEXT NOT NULL,
        status TEXT NOT NULL,
        exit_code INTEGER,
        concurrency INTEGER NOT NULL,
        pid INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT
      ) STRICT;
      CREATE TABLE workflow_jobs (
        run_id TEXT NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        position INTEGER NOT NULL,
        network TEXT NOT NULL,
        address TEXT,
        requires TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        exit_code INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        job_id TEXT,
        cause TEXT,
        started_at TEXT,
        ended_at TEXT,
        PRIMARY KEY (run_id, name)
      ) STRICT;
      CREATE TABLE workflow_attempts (
        run_id TEXT NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        job_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL,
        reason TEXT,
        exit_code INTEGER,
        started_at TEXT,
        ended_at TEXT,
        PRIMARY KEY (run_id, name, attempt)
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'workflow run owners',
    // A run's rnx process is identified by pid and start time, like a job's and a lease's owner,
    // so that a reused pid does not keep a dead run RUNNING.
    sql: `ALTER TABLE workflow_runs ADD COLUMN pid_start INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 11,
    name: 'job services',
    // How a job is asked to stop (so `rnx job stop` from another terminal uses the job's own
    // signal and grace), and when its readiness probe passed.
    sql: `
      ALTER TABLE jobs ADD COLUMN stop_signal TEXT NOT NULL DEFAULT 'SIGTERM';
      ALTER TABLE jobs ADD COLUMN stop_grace_ms INTEGER NOT NULL DEFAULT 10000;
      ALTER TABLE jobs ADD COLUMN ready_at TEXT;
    `,
  },
  {
    version: 12,
    name: 'job usage',
    // What a job used, kept when it ends (its cgroups go): CPU time and peak memory.
    sql: `ALTER TABLE jobs ADD COLUMN cpu_usec INTEGER;
ALTER TABLE jobs ADD COLUMN memory_peak INTEGER;`,
  },
  {
    version: 13,
    name: 'workflow pipelines',
    // What a rerun needs: the file (absolute) and workflow to read again, which run it re-ran;
    // per job its outputs (JSON), a digest of its definition, and the run whose result it reused.
    sql: `
      ALTER TABLE workflow_runs ADD COLUMN path TEXT;
      ALTER TABLE workflow_runs ADD COLUMN workflow_key TEXT;
      ALTER TABLE workflow_runs ADD COLUMN rerun_of TEXT;
      ALTER TABLE workflow_jobs ADD COLUMN outputs TEXT;
      ALTER TABLE workflow_jobs ADD COLUMN definition TEXT;
      ALTER TABLE workflow_jobs ADD COLUMN reused_from TEXT;
    `,
  },
  {
    version: 16,
    name: 'detached job end causes',
    // Why rnx ended a detached job that its supervisor then records: its timeout fired, or its
    // readiness probe never passed (JSON: {"kind":"timeout"} or {"kind":"not-ready","detail":...}).
    sql: `ALTER TABLE jobs ADD COLUMN end_cause TEXT;`,
  },
  {
    version: 17,
    name: 'job users',
    // Who a job runs as, when it is not root (JSON: {"user":"postgres","uid":101,"gid":104,
    // "groups":[104,103]}), as resolved in its root before the start.
    sql: `ALTER TABLE jobs ADD COLUMN run_as TEXT;`,
  },
  {
    version: 18,
    name: 'removal after the end',
    // `held` is 1 from a job's final record until its cgroup directories, run directory and job
    // filesystem are removed (after the end is reported, off the path dependents wait on); a
    // killed rnx's held jobs are finished by the next rnx (records/orphans.ts).
    sql: `
      ALTER TABLE jobs ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX jobs_held ON jobs (held) WHERE held = 1;
    `,
  },
];
