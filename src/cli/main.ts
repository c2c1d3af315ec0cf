/**
 * The CLI entry: reads process.argv, finds the command, builds its context, installs signal
 * handling and sets the exit code. Nothing outside src/cli/ prints or exits.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from './args.js';
import type { CliContext, Command } from './context.js';
import { EXIT } from './context.js';
import { commandHelp, topLevelHelp } from './help.js';
import { printProblem, writeLine } from './print.js';
import {
  exitQuietlyOnClosedOutput,
  onStopSignal,
  signalsForwardedByLauncher,
} from './process-signals.js';
import { COMMANDS } from './registry.js';
import { HELP_WORDS, VERSION_WORDS } from './top-level-words.js';
import { exitCodeFor } from './exit-codes.js';
import { catchInternalErrors } from './internal-error.js';
import { stateProblemOf } from '../state/state-fault.js';
import { closest } from '../suggest.js';
import pkg from '../../package.json' with { type: 'json' };

function version(): string {
  return pkg.version;
}

const stdinIsTerminal = (): boolean => process.getBuiltinModule('node:tty').isatty(0);

function makeContext(): CliContext {
  const fancy = process.stdout.isTTY && !process.env['NO_COLOR'];
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    // Read when a command needs it: --version and --help work in a removed directory.
    get cwd() {
      return process.cwd();
    },
    fancy,
    // isatty, not process.stdin: making that stream could change the terminal the job reads.
    // Asked only by the commands that hand it on: node:tty loads Node's net and stream modules, a
    // few milliseconds of every other command's start-up.
    get stdinFd() {
      return stdinIsTerminal() ? undefined : 0;
    },
    get terminalStdinFd() {
      return stdinIsTerminal() ? 0 : undefined;
    },
    onSignal: onStopSignal,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const ctx = makeContext();
  const first = argv[0];
  if (first !== undefined && VERSION_WORDS.includes(first)) {
    writeLine(ctx.stdout, version());
    return EXIT.ok;
  }
  if (first === undefined || HELP_WORDS.includes(first)) {
    writeLine(first === undefined ? ctx.stderr : ctx.stdout, topLevelHelp(COMMANDS, version()));
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  // Longest matching command path: `job run` before `job`.
  const entry = COMMANDS.filter((c) => {
    const words = c.path.split(' ');
    return words.every((w, i) => argv[i] === w);
  }).sort((a, b) => b.path.length - a.path.length)[0];
  if (entry === undefined) {
    const groups = [...new Set(COMMANDS.map((c) => c.path.split(' ')[0] ?? ''))];
    const inGroup = COMMANDS.filter((c) => c.path.startsWith(`${first} `));
    if (inGroup.length > 0) {
      const sub = argv[1];
      const names = inGroup.map((c) => c.path.split(' ')[1] ?? '');
      const guess = sub === undefined ? undefined : closest(sub, names);
      printProblem(ctx, {
        code: 'usage',
        message:
          sub === undefined || sub.startsWith('-')
            ? `'rnx ${first}' needs a subcommand: ${names.join(', ')}`
            : `unknown command 'rnx ${first} ${sub}'`,
        hint:
          guess === undefined
            ? `see 'rnx ${first} --help'`
            : `did you mean 'rnx ${first} ${guess}'?`,
      });
      if (sub === '--help' || sub === '-h') {
        writeLine(ctx.stdout, topLevelHelp(inGroup, version()));
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    const guess = closest(first, groups);
    printProblem(ctx, {
      code: 'usage',
      message: `unknown command '${first}'`,
      hint: guess === undefined ? "see 'rnx --help'" : `did you mean 'rnx ${guess}'?`,
    });
    return EXIT.usage;
  }
  const { command } = await entry.load();
  const rest = argv.slice(command.path.split(' ').length);
  if (wantsHelp(rest, command)) {
    writeLine(ctx.stdout, commandHelp(command));
    return EXIT.ok;
  }
  const parsed = parseArgs(rest, command.options, command.parseMode);
  if (!parsed.ok) {
    printProblem(ctx, parsed.problem);
    writeLine(ctx.stderr, `usage: ${command.usage}`);
    return EXIT.usage;
  }
  const max = command.maxPositionals;
  if (max !== undefined && parsed.value.positionals.length > max) {
    printProblem(ctx, {
      code: 'usage',
      message: `unexpected argument '${parsed.value.positionals[max] ?? ''}': rnx ${command.path} takes ${max === 0 ? 'no arguments' : `at most ${String(max)}`}`,
      hint: `usage: ${command.usage}`,
    });
    return EXIT.usage;
  }
  const needs = command.needs?.(parsed.value);
  if (needs !== undefined) {
    const { checkNeeds } = await import('../isolation/start/host-check.js');
    const host = checkNeeds(command.path, needs);
    if (!host.ok) {
      printProblem(ctx, host.problem);
      return exitCodeFor(host.problem);
    }
  }
  try {
    if (command.stateless?.(parsed.value) !== true) await cleanUpAfterKilledRuns(ctx);
    return await command.run(ctx, parsed.value);
  } catch (error) {
    // A state directory rnx cannot use (full, read-only, a damaged database), met anywhere.
    const { stateDir } = await import('../state/database.js');
    const problem = stateProblemOf(error, stateDir(ctx.env));
    if (problem === undefined) throw error;
    printProblem(ctx, problem);
    return exitCodeFor(problem);
  }
}

/**
 * Removes what an rnx killed mid-job left (processes, cgroups, leases, veths, files) before any
 * command runs. Cheap when nothing is left: one indexed query on an existing database.
 */
async function cleanUpAfterKilledRuns(ctx: CliContext): Promise<void> {
  const { sharedDatabase, stateDir } = await import('../state/database.js');
  const dir = stateDir(ctx.env);
  if (!existsSync(join(dir, 'rnx.db'))) return;
  // Without root, what a killed rnx left (root's processes, cgroups, veths) cannot be removed.
  const { privileged } = await import('../isolation/start/host-check.js');
  if (!privileged()) return;
  try {
    const db = sharedDatabase(dir);
    const { orphanCandidates } = await import('../isolation/records/orphan-candidates.js');
    if (orphanCandidates(db).length === 0) return;
    const { cleanUpOrphanedJobs } = await import('../isolation/records/orphans.js');
    for (const job of await cleanUpOrphanedJobs(db)) {
      writeLine(ctx.stderr, `rnx: cleaned up job ${job.id}, left by an rnx that was killed`);
    }
  } catch (error) {
    if (stateProblemOf(error, dir) !== undefined) throw error;
    writeLine(
      ctx.stderr,
      `rnx: could not check for jobs left by a killed rnx: ${(error as Error).message}`,
    );
  }
}

/** `--help`/`-h` among the flags (not inside a job's own command line). */
function wantsHelp(rest: readonly string[], command: Command): boolean {
  for (const arg of rest) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
    if (!arg.startsWith('-') && command.parseMode?.stopAtPositional) return false;
  }
  return false;
}

exitQuietlyOnClosedOutput();
signalsForwardedByLauncher(process.env['RNX_LAUNCHER'] === 'forwarding');
const internalErrors = catchInternalErrors({ stderr: process.stderr, env: process.env });
// A promise chain, not a top-level await: the bundle is a CommonJS script (see scripts/bundle.ts).
main(process.argv.slice(2)).then(
  (code) => {
    if (!internalErrors.happened) process.exitCode = code;
    // Once nothing is left to do (output written, what a job left removed: Node's 'beforeExit'
    // comes only then), rnx exits at once, without Node tearing down its heap and threads first
    // (several milliseconds of every command). What the shared database connection wrote is
    // synced just before (state/database.ts).
    process.once('beforeExit', () => process.exit());
  },
  (error: unknown) => {
    internalErrors.report(error);
  },
);
