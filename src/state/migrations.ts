/**
 * Versioned schema migrations, applied in order inside one transaction each. A migration is never
 * edited once it has landed: add a new one. Version numbers are reserved per area so that work on
 * separate areas never collides:
 *   1 core (meta)   2 networks and leases   3 jobs   4 workflow runs   5 volumes and runtimes
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
];
