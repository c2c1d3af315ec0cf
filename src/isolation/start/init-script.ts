/**
 * The job's init: a short POSIX sh script that runs as PID 1 of the job's new PID namespace, before
 * the user's command, then replaces itself with that command (`exec`), so no wrapper is left.
 *
 * It talks to rnx over fd 3, a socket pair rnx creates at spawn (read and write):
 *   init → rnx  `n`       the namespaces exist (the unshare process now sits in the job's netns)
 *   init → rnx  `E what`  a setup step failed (details on the preceding lines); init exits 125
 *   rnx → init  `g`       go: the network is wired (phase 2; at once for `none`)
 *   init → rnx  `w`       its own setup is done (hostname, mounts, cgroups); it now reads the go
 *   init → rnx  `x`       found the command, exec'ing it now
 *   init → rnx  `E notfound`  the command does not exist; init exits 127
 * When rnx closes fd 3 without writing `g` (phase 2 failed or timed out), `read` fails and init
 * exits without running the command. Nothing polls: init blocks in read(2) on the socket.
 *
 * Steps run in this order: hostname, loopback up for jobs without a network (in the background,
 * waited for at the end), bind mounts (per-job /etc/hosts, resolv.conf), the job's filesystem
 * (job-filesystem.ts: mounts, pivot_root, cd /work), then joining the job's cgroups last, so that the
 * setup tools do not count against the job's own process limit. User-supplied text only reaches the script single-quoted.
 */

export const INIT_EXIT_SETUP = 125;
export const INIT_EXIT_NOT_FOUND = 127;

export interface InitPlan {
  readonly hostname: string;
  /** cgroup.procs files to write `0` into (moves init itself; everything it starts follows). */
  readonly procsFiles: readonly string[];
  /** An fstab of bind mounts to apply inside the job's mount namespace. */
  readonly fstab?: string;
  /** Bring `lo` up (jobs with no network; phase 2 does it for the others). */
  readonly loopbackUp: boolean;
  /** Absolute paths of the tools init runs. */
  readonly tools: { readonly mount: string; readonly ip: string };
  /** Extra setup lines (already quoted), run after the mounts: the filesystem plug-in's steps. */
  readonly extraSteps?: readonly string[];
}

/** Quotes a string for POSIX sh: single quotes, with each `'` written as `'\''`. */
export function shQuote(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

function step(command: string, what: string): string {
  return `${command} || { echo ${shQuote(`E ${what}`)} >&3; exit ${String(INIT_EXIT_SETUP)}; }`;
}

export function initScript(plan: InitPlan): string {
  const lines = ['echo n >&3'];
  lines.push(step(`echo ${shQuote(plan.hostname)} 2>&3 >/proc/sys/kernel/hostname`, 'hostname'));
  // `ip` (about 1.3 ms) brings lo up in the background while the mounts are made; init waits for
  // it before it says it is done. It runs before the cgroups are joined, like every setup tool.
  if (plan.loopbackUp) lines.push(`${shQuote(plan.tools.ip)} link set lo up 2>&3 & lo=$!`);
  if (plan.fstab !== undefined) {
    lines.push(step(`${shQuote(plan.tools.mount)} -a -T ${shQuote(plan.fstab)} 2>&3`, 'mount'));
  }
  // The filesystem steps end in pivot_root, after which /sys/fs/cgroup is out of reach: open the
  // cgroup files first (fds 4-9), and still join only after the setup tools ran.
  const extras = plan.extraSteps ?? [];
  const early = extras.length > 0;
  if (early && plan.procsFiles.length > 6) throw new Error('more than 6 cgroup files to join');
  if (early) {
    plan.procsFiles.forEach((file, i) => {
      lines.push(step(`exec ${String(4 + i)}>${shQuote(file)}`, 'cgroup'));
    });
  }
  for (const extra of extras) lines.push(step(`{ ${extra}; } 2>&3`, 'filesystem'));
  plan.procsFiles.forEach((file, i) => {
    const fd = String(4 + i);
    const join = early ? `echo 0 2>&3 >&${fd} && exec ${fd}>&-` : `echo 0 2>&3 >${shQuote(file)}`;
    lines.push(step(join, 'cgroup'));
  });
  if (plan.loopbackUp) lines.push(step('wait "$lo"', 'loopback'));
  lines.push('echo w >&3', `read go <&3 || exit ${String(INIT_EXIT_SETUP)}`);
  lines.push(
    `command -v "$1" >/dev/null 2>&1 || { echo 'E notfound' >&3; exit ${String(INIT_EXIT_NOT_FOUND)}; }`,
  );
  lines.push('echo x >&3', 'exec 3>&-', 'exec "$@"');
  return lines.join('\n');
}
