/**
 * A detached job's supervisor: a small POSIX shell (dash: about 0.1 MB of its own memory beside
 * the libc pages every process shares) in a session of its own (setsid), so closing the terminal
 * does not reach it. It is the parent of the job's start process and all that stays of rnx while
 * the job runs:
 *
 *   1. makes the job's end FIFO and holds its write end (fd 4): waiters wake when it lets go
 *   2. makes the job's go FIFO and holds a write end of it too (fd 7): bwrap's block fd is this
 *      FIFO, so the job's PID 1 can never read an end of file there (which bwrap takes as the
 *      go): it waits for one byte, whatever happens to the rnx that started it
 *   3. starts the relay (a subshell, only while the job starts, or until its timeout when it has
 *      one): it reads rnx's go on the pipe from rnx (fd 5: "g" once the job is in its cgroups and
 *      wired) and passes it on to the go FIFO. If rnx ends before giving it (killed), the relay
 *      leaves the supervisor's process group (setsid) and kills that whole group (the supervisor,
 *      bwrap and the job's PID 1, still in it while it waits: its own session comes after the go),
 *      then becomes rnx to record the start as abandoned and release what it held. The command
 *      never runs outside its cgroups.
 *   4. starts the job's output reader: `cat` (or `sed -u` masking the secret values, when the
 *      job has some) reading the output FIFO rnx made for the job (owned by the job's user, so
 *      the job can reopen it as /dev/stdout) and appending to the log. The job's stdout and
 *      stderr are that FIFO, one pipe for both (the log interleaves them as they come, as a
 *      foreground job's does), never the log file itself: a job that opens /dev/stdout (O_TRUNC)
 *      would truncate its own log, and one running as another user could not open root's log
 *   5. runs the job's start command and waits for it: `$?` is the job's status
 *   6. becomes rnx (exec, with a clean environment) to record the end and release everything the
 *      job held: Node runs once per detached job, at its end, never while it runs
 *
 * A job with a timeout keeps its relay as its timer: `sleep` for the timeout from the go, then
 * rnx `job timeout-detached ID` stops the job with its stop signal and grace (Node again only
 * then), and the supervisor waits for it before it records the end; a job that ends first has its
 * timer killed by the supervisor.
 *
 * Its pid and start time own the job (and its lease and volume uses) once it runs: if it is
 * killed, the next rnx command finds the owner gone and cleans up, as for a killed `rnx job run`.
 */
/** Quotes a string for POSIX sh: single quotes, with each `'` written as `'\\''`. */
function shQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** The status word `finish-detached` gets when the start was abandoned before the go. */
export const ABANDONED = 'abandoned';

export interface SupervisorPlan {
  readonly sh: string;
  readonly mkfifo: string;
  readonly env: string;
  readonly setsid: string;
  readonly sleep: string;
  /**
   * The output reader's command, to which the output FIFO is appended: `cat`, or `sed -u -f
   * MASKFILE` masking the secrets (see maskScript).
   */
  readonly reader: readonly string[];
  readonly logPath: string;
  readonly endFifo: string;
  /** The FIFO the job's bwrap reads its go from (its block fd), in the job's run directory. */
  readonly goFifo: string;
  /** The job's stdout and stderr: a FIFO rnx made, in the job's run directory. */
  readonly outputFifo: string;
  /** rnx itself (node and its script), run at the end, at the timeout, or to undo a start. */
  readonly rnx: readonly string[];
  readonly jobId: string;
  readonly stateDir: string;
  /** The job's timeout, counted from the go. */
  readonly timeoutMs?: number;
}

/** The fd on which rnx sends the go to the relay (bwrap's block fd is the go FIFO there). */
export const GO_FD = 5;

/** `sleep`'s argument for a duration in milliseconds. */
export function sleepSeconds(ms: number): string {
  return (ms / 1000).toFixed(3).replace(/\.?0+$/, '');
}

/** argv of the supervisor, to which the job's start command is appended. */
export function supervisorArgv(plan: SupervisorPlan): string[] {
  const q = shQuote;
  const rnx = (...words: string[]): string =>
    `exec ${q(plan.env)} -i RNX_STATE_DIR=${q(plan.stateDir)} ${[...plan.rnx, ...words].map(q).join(' ')}`;
  const undo = [
    // Out of the supervisor's process group first, then the whole group, PID 1 with it.
    `exec ${q(plan.setsid)} ${q(plan.sh)} -c`,
    q(`kill -s KILL -- -"$1"; ${rnx('job', 'finish-detached', plan.jobId, ABANDONED)}`),
    'rnx-undo "$$"',
  ].join(' ');
  const timer =
    plan.timeoutMs === undefined
      ? 'exit 0'
      : `${q(plan.sleep)} ${sleepSeconds(plan.timeoutMs)} && ${rnx('job', 'timeout-detached', plan.jobId)}; exit 0`;
  const lines = [
    `${q(plan.mkfifo)} -m 600 ${q(plan.endFifo)} && exec 4<>${q(plan.endFifo)} || exit 125`,
    `${q(plan.mkfifo)} -m 600 ${q(plan.goFifo)} && exec 7<>${q(plan.goFifo)} || exit 125`,
    '{',
    `  if read -r go <&${String(GO_FD)} && [ "$go" = g ]; then`,
    `    printf g >&7; exec ${String(GO_FD)}<&- 7>&-`,
    `    ${timer}`,
    '  fi',
    `  ${undo}`,
    '} </dev/null >/dev/null 2>&1 3>&- 4>&- &',
    'relay=$!',
    `exec ${String(GO_FD)}<&-`,
  ];
  lines.push(
    // The reader names the FIFO in its arguments: orphan reclaim finds it by them.
    `${[...plan.reader, plan.outputFifo].map(q).join(' ')} </dev/null >>${q(plan.logPath)} 2>&1 4>&- 7>&- & reader=$!`,
    `exec >${q(plan.outputFifo)} 2>&1`,
  );
  lines.push(`"$@" 4>&- 7>&- ${String(GO_FD)}<${q(plan.goFifo)}`, 'status=$?', 'exec 7>&-');
  if (plan.timeoutMs !== undefined) {
    // The job ended before its timeout: its timer (the relay, still our child, and its sleep)
    // goes. A timer that fired has become rnx stopping the job: it ends once the job has.
    // (`2>/dev/null` before the `<`: redirections apply left to right, and a relay already gone
    // would otherwise put the shell's `cannot open` into the job's log.)
    lines.push(
      'ppid=; read -r _ _ _ ppid _ 2>/dev/null </proc/$relay/stat',
      'if [ "$ppid" = $$ ]; then',
      '  comm=; read -r comm 2>/dev/null </proc/$relay/comm',
      '  if [ "$comm" = sh ]; then kids=; read -r kids 2>/dev/null </proc/$relay/task/$relay/children; kill $kids $relay 2>/dev/null',
      '  else wait $relay; fi',
      'fi',
    );
  }
  lines.push(
    // The log is complete once the reader has seen the output's end.
    'exec >/dev/null 2>&1',
    'wait "$reader"',
    `${rnx('job', 'finish-detached', plan.jobId)} "$status"`,
  );
  return [plan.sh, '-c', lines.join('\n'), 'rnx-supervisor'];
}

/** Escapes text for a sed basic regular expression delimited by `/`. */
function sedLiteral(text: string): string {
  return text.replace(/[\\/.*[\]^$]/g, (c) => `\\${c}`);
}

/**
 * A sed script replacing every secret value by `***`, longest first. sed works line by line, so a
 * value that spans lines is masked line by line.
 */
export function maskScript(secrets: readonly string[]): string {
  const parts = [...new Set(secrets.flatMap((s) => s.split('\n')))]
    .filter((p) => p.length > 0)
    .sort((a, b) => b.length - a.length);
  return parts.map((p) => `s/${sedLiteral(p)}/***/g\n`).join('');
}
