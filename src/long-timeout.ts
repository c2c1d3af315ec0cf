/**
 * setTimeout for any delay. Node's timers hold at most 2^31-1 ms (24.8 days): a longer delay
 * fires at once (with a TimeoutOverflowWarning), which would kill a job with `timeout: 30d` the
 * moment it starts. This chains timers of at most that length until the delay has passed.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `callback` once after `ms` milliseconds; returns a function that cancels it. */
export function setLongTimeout(callback: () => void, ms: number): () => void {
  const due = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const arm = (left: number): void => {
    timer = setTimeout(
      () => {
        const rest = due - Date.now();
        if (rest > 0) arm(rest);
        else callback();
      },
      Math.min(Math.max(left, 0), MAX_TIMER_MS),
    );
  };
  arm(ms);
  return () => clearTimeout(timer);
}
