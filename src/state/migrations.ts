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
];
