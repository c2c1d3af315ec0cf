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
];
