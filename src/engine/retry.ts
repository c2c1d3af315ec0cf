/**
 * Retries with exponential backoff and a cap. A job with `retries: N` runs at most N + 1 times;
 * after its k-th failed attempt it waits min(baseMs × factor^(k-1), capMs) before the next one.
 */
export interface RetryPolicy {
  readonly baseMs: number;
  readonly factor: number;
  readonly capMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 1000, factor: 2, capMs: 30_000 };

/** Delay before the attempt that follows failed attempt number `failedAttempt` (1-based). */
export function backoffDelay(failedAttempt: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, failedAttempt - 1);
  return Math.min(policy.capMs, Math.round(policy.baseMs * policy.factor ** exponent));
}
