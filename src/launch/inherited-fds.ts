/**
 * Closes the file descriptors rnx inherited from whatever started it, beyond stdin, stdout and
 * stderr. Node leaves them open and passes them on to every child it spawns (libuv closes only
 * its own, which are all close-on-exec), so without this a job got them too: a directory the
 * caller's shell had open (`251</tmp`) let the job read the host's /tmp through
 * /proc/self/fd/251, past its own filesystem. Docker and systemd pass a container or service no
 * descriptor it was not given either.
 *
 * An inherited descriptor is told from Node's own by its flags: everything Node and libuv open
 * is close-on-exec, an inherited one is not (exec clears nothing but close-on-exec ones). Node's
 * IPC channel with a parent that forked rnx (NODE_CHANNEL_FD) is kept. So is a regular file open
 * for writing: V8 opens its own logs that way, without close-on-exec (`--logfile`, `--prof`,
 * `--perf-basic-prof`, given on the command line or in NODE_OPTIONS), and keeps writing to them;
 * closed, the number went to the next file rnx opened, the state database, and V8's log went into
 * it (a damaged database). A job does not get such a file either: rnx-sandbox closes every
 * descriptor above 2 as it execs the job's command; only a job that bwrap sets up
 * (RNX_SANDBOX=bwrap) is passed one that rnx inherited.
 */
import { HELP_WORDS, VERSION_WORDS } from '../cli/top-level-words.js';

const { closeSync, fstatSync, readdirSync, readFileSync } = process.getBuiltinModule('node:fs');

/**
 * Commands that start no process, so have no one to pass a descriptor to: rnx leaves what they
 * inherited alone (reading /proc/self/fdinfo for each of Node's own descriptors costs about
 * 0.6 ms of their start). By their first words, as typed; anything else closes.
 */
const STARTS_NOTHING: readonly (readonly string[])[] = [
  ['workflow', 'validate'],
  ['workflow', 'graph'],
  ['workflow', 'export'],
  ...[...VERSION_WORDS, ...HELP_WORDS].map((word) => [word]),
];

/** True unless `argv` (rnx's arguments) names a command that starts no process. */
export function mayStartProcesses(argv: readonly string[]): boolean {
  return !STARTS_NOTHING.some((words) => words.every((word, i) => argv[i] === word));
}

const O_CLOEXEC = 0o2000000;
const O_ACCMODE = 0o3;
const O_RDONLY = 0;

/** Closes the inherited descriptors above 2; returns their numbers. */
export function closeInheritedFds(env: NodeJS.ProcessEnv = process.env): number[] {
  const keep = new Set([0, 1, 2, Number(env.NODE_CHANNEL_FD ?? -1)]);
  let listed: string[];
  try {
    listed = readdirSync('/proc/self/fd');
  } catch {
    return []; // No /proc: nothing to go by (rnx's own checks say what is missing).
  }
  const closed: number[] = [];
  for (const name of listed) {
    const fd = Number(name);
    if (keep.has(fd)) continue;
    let flags: number;
    try {
      const line = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${name}`, 'utf8'));
      if (line?.[1] === undefined) continue;
      flags = parseInt(line[1], 8);
    } catch {
      continue; // Closed meanwhile (the listing's own descriptor).
    }
    if ((flags & O_CLOEXEC) !== 0) continue;
    if ((flags & O_ACCMODE) !== O_RDONLY && isRegularFile(fd)) continue;
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // Not ours to close after all: leave it.
    }
  }
  return closed;
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    return false;
  }
}
