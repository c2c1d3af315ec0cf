/**
 * A detached job's supervisor: a small POSIX shell (dash: about 0.1 MB of its own memory beside
 * the libc pages every process shares) in a session of its own (setsid), so closing the terminal
 * does not reach it. It is the parent of the job's start process and all that stays of rnx while
 * the job runs:
 *
 *   1. makes the job's end FIFO and holds its write end (fd 4): waiters wake when it lets go
 *   2. sends the job's output to its log: straight (>> log), or through `sed -u` masking the
 *      secret values when the job has some (the one extra process, for such jobs only)
 *   3. runs the job's start command and waits for it: `$?` is the job's status
 *   4. becomes rnx (exec, with a clean environment) to record the end and release everything the
 *      job held: Node runs once per detached job, at its end, never while it runs
 *
 * Its pid and start time own the job (and its lease and volume uses) once it runs: if it is
 * killed, the next rnx command finds the owner gone and cleans up, as for a killed `rnx job run`.
 */
/** Quotes a string for POSIX sh: single quotes, with each `'` written as `'\\''`. */
function shQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

export interface SupervisorPlan {
  readonly sh: string;
  readonly mkfifo: string;
  readonly env: string;
  /** `sed`, when the output needs masking. */
  readonly sed?: string;
  /** A sed script masking the secrets (see maskScript), in the job's run directory. */
  readonly maskFile?: string;
  readonly logPath: string;
  readonly endFifo: string;
  /** Where the masked output flows to sed (a FIFO made here), when masking. */
  readonly outputFifo?: string;
  /** rnx itself (node, its script, then the finishing command's words), run at the end. */
  readonly finish: readonly string[];
  readonly stateDir: string;
}

/** argv of the supervisor, to which the job's start command is appended. */
export function supervisorArgv(plan: SupervisorPlan): string[] {
  const lines = [
    `${shQuote(plan.mkfifo)} -m 600 ${shQuote(plan.endFifo)} && exec 4<>${shQuote(plan.endFifo)} || exit 125`,
  ];
  if (plan.sed !== undefined && plan.maskFile !== undefined && plan.outputFifo !== undefined) {
    lines.push(
      `${shQuote(plan.mkfifo)} -m 600 ${shQuote(plan.outputFifo)} || exit 125`,
      `${shQuote(plan.sed)} -u -f ${shQuote(plan.maskFile)} <${shQuote(plan.outputFifo)} >>${shQuote(plan.logPath)} 2>&1 4>&- & masker=$!`,
      `exec >${shQuote(plan.outputFifo)} 2>&1`,
    );
  } else {
    lines.push(`exec >>${shQuote(plan.logPath)} 2>&1`);
  }
  lines.push(
    '"$@" 4>&-',
    'status=$?',
    // The output is complete once the masker has seen its end.
    'exec >/dev/null 2>&1',
    ...(plan.sed === undefined ? [] : ['wait "$masker"']),
    `exec ${shQuote(plan.env)} -i RNX_STATE_DIR=${shQuote(plan.stateDir)} ${plan.finish.map(shQuote).join(' ')} "$status"`,
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
