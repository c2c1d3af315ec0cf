/**
 * Where a workflow job is in its life, as the scheduler sees it.
 *
 *   waiting ─► ready ─► dispatched ─► running ─► COMPLETED | FAILED | STOPPED
 *      │         │          │            │
 *      │         │          │            └─► backoff ─► ready   (FAILED with retries left)
 *      └─────────┴──────────┴─► CANCELED  (requirements can no longer be met, or interrupted)
 *
 * `ready`: every requirement is met, not yet handed out. `dispatched`: handed out by `next()`, the
 * engine is starting it (or it waits for a concurrency slot). Capitalised phases are final.
 */
export type FinalStatus = 'COMPLETED' | 'FAILED' | 'STOPPED' | 'CANCELED';

export type Phase = 'waiting' | 'ready' | 'dispatched' | 'running' | 'backoff' | FinalStatus;

export function isFinal(phase: Phase): phase is FinalStatus {
  return phase === 'COMPLETED' || phase === 'FAILED' || phase === 'STOPPED' || phase === 'CANCELED';
}
