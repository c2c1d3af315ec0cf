/**
 * Prepared statements, cached per database connection: a job's start and a lease each run several
 * statements, and preparing one again costs about as much as running it.
 */
import type { StatementSync } from 'node:sqlite';
import type { Database } from './database.js';

const cache = new WeakMap<Database, Map<string, StatementSync>>();

export function sql(db: Database, text: string): StatementSync {
  let statements = cache.get(db);
  if (statements === undefined) {
    statements = new Map();
    cache.set(db, statements);
  }
  let statement = statements.get(text);
  if (statement === undefined) {
    statement = db.prepare(text);
    statements.set(text, statement);
  }
  return statement;
}
