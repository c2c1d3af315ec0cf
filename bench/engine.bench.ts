/**
 * The engine against baselines measured in the same run (whole `rnx` commands, one rnx process
 * each, alternated with the baseline; medians of the pairwise ratios):
 *   1. a seeded random 300-job DAG of `true` jobs on network `none` at concurrency 2
 *      (`rnx job run --workflow=dag.yaml --concurrency=2`), against `make -j2` running
 *      `unshare --pid --net --mount --uts --ipc --fork --mount-proc true` over the same graph
 *      (aim: <= 2.5x);
 *   2. 40 jobs on a custom bridge network one after another (`--concurrency=1`), against a
 *      hand-written two-phase bash script (the peer of the veth born inside the job's netns,
 *      `ip -batch`, a pipe as the go; see engine-graphs.ts) (aim: <= 1.5x).
 * Also: the engine alone (the same DAG in process with jobs that end at once), and the floor of
 * (1) and (2): `make -j2` (the script) running rnx's own job sandbox as rnx runs it on this host
 * (sandbox/sandbox-program.ts: rnx-sandbox where it can run, else bwrap + setpriv; the very
 * command line of a host-root `none` job: its mounts, /dev, masked paths, capabilities) over the
 * same graph, in the same alternation, so that rnx's own cost shows apart from the kernel work its
 * jobs ask for; and the bwrap floor: the same plan run by bwrap + setpriv (what rnx runs without
 * rnx-sandbox), which shows what bubblewrap's way of doing that work costs on top of it. When the
 * floor is bwrap + setpriv already, the bwrap floor is not run again (the output says why).
 *
 *   npm run bench -- engine
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runWorkflow } from '../src/engine/run.js';
import type { Plan } from '../src/validate/model.js';
import { RNX_BIN, tempDir } from '../test/helpers/cli.js';
import {
  dagPlan,
  dagWorkflow,
  makefile,
  networkedShellScript,
  randomDag,
} from './engine-graphs.js';
import { jobSandbox, shellWord, type BenchSandboxProgram } from './job-sandbox.js';
import { sandboxProgram } from '../src/isolation/sandbox/sandbox-program.js';
import { alternate, fmt, median, pairwiseRatio, timeCommand, timeRuns } from './timing.js';
import { openDatabase } from '../src/state/database.js';

const DAG_JOBS = 300;
const NET_JOBS = 40;
const RUNS = 3;
/** Networked runs are short and noisy on a shared machine: more pairs. */
const NET_RUNS = 5;

const scratch = tempDir('rnx-bench-engine-');
const env = { ...process.env, RNX_STATE_DIR: join(scratch.dir, 'state'), NO_COLOR: '1' };

/**
 * The floor's program: the one rnx's own jobs use here (RNX_SANDBOX is read the same way, by this
 * process and by the rnx it starts). When that is rnx-sandbox, bwrap + setpriv run the same plan
 * too (the bwrap floor); when it is bwrap, that row would repeat the floor: `noBwrapFloor` says why.
 */
const chosen = sandboxProgram();
if (!chosen.ok) throw new Error(chosen.problem.message);
const floorProgram: BenchSandboxProgram =
  chosen.value.kind === 'rnx-sandbox' ? chosen.value : { kind: 'bwrap' };
const floorName = chosen.value.kind === 'rnx-sandbox' ? 'rnx-sandbox' : 'bwrap + setpriv';
/** For the headings: which program, and its file or why not rnx-sandbox. */
const floorLabel =
  chosen.value.kind === 'rnx-sandbox'
    ? `rnx-sandbox (${chosen.value.path})`
    : `bwrap + setpriv (${chosen.value.why})`;
const noBwrapFloor =
  chosen.value.kind === 'bwrap'
    ? `  bwrap floor  (not run: the floor is bwrap + setpriv already; ${chosen.value.why})`
    : undefined;
const BWRAP: BenchSandboxProgram = { kind: 'bwrap' };

function rnx(...args: string[]): void {
  execFileSync(process.execPath, [RNX_BIN, ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
}

async function dagBench(): Promise<void> {
  const dag = randomDag(DAG_JOBS);
  const edges = dag.reduce((n, node) => n + node.requires.length, 0);
  const mk = join(scratch.dir, 'dag.mk');
  const mkSandbox = join(scratch.dir, 'dag-sandbox.mk');
  const wf = join(scratch.dir, 'dag.yaml');
  const stateDir = join(scratch.dir, 'sandbox-state');
  const db = openDatabase(stateDir);
  const sandbox = await jobSandbox(db, stateDir);
  writeFileSync(mk, makefile(dag));
  writeFileSync(mkSandbox, makefile(dag, sandbox.argv(floorProgram).map(shellWord).join(' ')));
  const mkBwrap = join(scratch.dir, 'dag-bwrap.mk');
  writeFileSync(mkBwrap, makefile(dag, sandbox.argv(BWRAP).map(shellWord).join(' ')));
  writeFileSync(wf, dagWorkflow(dag, 'none'));
  const [rnxT = [], makeT = [], floorT = [], bwrapT = []] = await alternate(RUNS, [
    () => rnx('job', 'run', `--workflow=${wf}`, '--concurrency=2'),
    () => void timeCommand('make', ['-s', '-j2', '-f', mk, 'all']),
    () => void timeCommand('make', ['-s', '-j2', '-f', mkSandbox, 'all']),
    ...(noBwrapFloor === undefined
      ? [() => void timeCommand('make', ['-s', '-j2', '-f', mkBwrap, 'all'])]
      : []),
  ]);
  await sandbox.release();
  db.close();
  console.log(
    `random DAG: ${String(DAG_JOBS)} jobs, ${String(edges)} edges, concurrency 2; rnx's job sandbox here: ${floorLabel}`,
  );
  console.log(`  rnx          ${fmt(median(rnxT))}  (${fmt(median(rnxT) / DAG_JOBS)} per job)`);
  console.log(`  make -j2     ${fmt(median(makeT))}  (${fmt(median(makeT) / DAG_JOBS)} per job)`);
  console.log(
    `  make -j2, rnx's job sandbox (${floorName}) ${fmt(median(floorT))}  (${fmt(median(floorT) / DAG_JOBS)} per job)`,
  );
  if (bwrapT.length > 0) {
    console.log(
      `  make -j2, bwrap + setpriv ${fmt(median(bwrapT))}  (${fmt(median(bwrapT) / DAG_JOBS)} per job)`,
    );
  }
  console.log(`  ratio        ${pairwiseRatio(rnxT, makeT).toFixed(2)}x make (aim: <= 2.5x)`);
  console.log(
    `  floor        ${pairwiseRatio(floorT, makeT).toFixed(2)}x make: the same sandboxes (${floorName}) run by make; rnx is ${pairwiseRatio(rnxT, floorT).toFixed(2)}x that`,
  );
  console.log(
    bwrapT.length > 0
      ? `  bwrap floor  ${pairwiseRatio(bwrapT, makeT).toFixed(2)}x make: the same plan by bwrap + setpriv, ${pairwiseRatio(bwrapT, floorT).toFixed(2)}x the floor; rnx is ${pairwiseRatio(rnxT, bwrapT).toFixed(2)}x that`
      : (noBwrapFloor ?? ''),
  );
  const alone = await timeRuns(RUNS, () => engineOnly(dagPlan(dag)));
  console.log(
    `  engine alone ${fmt(median(alone))} (${fmt(median(alone) / DAG_JOBS)} per job: scheduling, queue, events; jobs end at once)`,
  );
}

/** The engine's own cost: the same plan with a runner whose jobs end as soon as they start. */
async function engineOnly(plan: Plan): Promise<void> {
  let ids = 0;
  await runWorkflow(
    plan,
    {
      newJobId: () => `bench${String(++ids)}`,
      runner: {
        async run(spec, hooks) {
          hooks.onStarted({ pid: 1 });
          await new Promise((resolve) => setImmediate(resolve));
          return {
            id: spec.id,
            status: 'COMPLETED',
            reason: 'exit',
            exitCode: 0,
            signal: null,
            network: spec.network,
            endedAt: new Date().toISOString(),
          };
        },
      },
    },
    { runId: 'engine-only', concurrency: 2, onEvent: () => undefined },
  );
}

async function networkBench(): Promise<void> {
  rnx('network', 'create', 'benchnet', '--cidr=10.77.0.0/24');
  const script = join(scratch.dir, 'net.sh');
  const wf = join(scratch.dir, 'net.yaml');
  writeFileSync(
    wf,
    dagWorkflow(
      Array.from({ length: NET_JOBS }, (_, i) => ({ name: `n${String(i)}`, requires: [] })),
      'benchnet',
    ),
  );
  // The shell baseline uses a bridge of its own, set up once like rnx's (by a first job); the
  // floor is the same script starting rnx's own job sandbox (as rnx runs it here) instead of
  // unshare, the bwrap floor the same with bwrap + setpriv. Either program forks the job, its PID 1
  // (in the netns), once: the script finds it the same way (engine-graphs.ts).
  writeFileSync(script, networkedShellScript(NET_JOBS, 'benchbr', '10.78.0', '10.78.0.1'));
  const stateDir = join(scratch.dir, 'sandbox-state-net');
  const db = openDatabase(stateDir);
  const sandbox = await jobSandbox(db, stateDir, ['sh', '-c', 'echo up; read go; exec true']);
  const sandboxScript = (program: BenchSandboxProgram): string =>
    networkedShellScript(
      NET_JOBS,
      'benchbr',
      '10.78.0',
      '10.78.0.1',
      sandbox.argv(program).map(shellWord).join(' '),
    );
  const floorScript = join(scratch.dir, 'net-sandbox.sh');
  const bwrapScript = join(scratch.dir, 'net-bwrap.sh');
  writeFileSync(floorScript, sandboxScript(floorProgram));
  writeFileSync(bwrapScript, sandboxScript(BWRAP));
  execFileSync('sh', [
    '-ec',
    'ip link add benchbr type bridge; ip addr add 10.78.0.1/24 dev benchbr; ip link set benchbr up',
  ]);
  try {
    const [rnxT = [], shT = [], floorT = [], bwrapT = []] = await alternate(NET_RUNS, [
      () => rnx('job', 'run', `--workflow=${wf}`, '--concurrency=1'),
      () => void timeCommand('bash', [script]),
      () => void timeCommand('bash', [floorScript]),
      ...(noBwrapFloor === undefined ? [() => void timeCommand('bash', [bwrapScript])] : []),
    ]);
    const per = (t: number[]): string =>
      `${fmt(median(t))}  (${fmt(median(t) / NET_JOBS)} per job)`;
    console.log(
      `networked: ${String(NET_JOBS)} jobs on a bridge network, one after another; rnx's job sandbox here: ${floorLabel}`,
    );
    console.log(`  rnx          ${per(rnxT)}`);
    console.log(`  bash script  ${per(shT)}`);
    console.log(`  bash script, rnx's job sandbox (${floorName}) ${per(floorT)}`);
    if (bwrapT.length > 0) console.log(`  bash script, bwrap + setpriv ${per(bwrapT)}`);
    console.log(`  ratio        ${pairwiseRatio(rnxT, shT).toFixed(2)}x the script (aim: <= 1.5x)`);
    console.log(
      `  floor        ${pairwiseRatio(floorT, shT).toFixed(2)}x the script: the same sandboxes (${floorName}); rnx is ${pairwiseRatio(rnxT, floorT).toFixed(2)}x that`,
    );
    console.log(
      bwrapT.length > 0
        ? `  bwrap floor  ${pairwiseRatio(bwrapT, shT).toFixed(2)}x the script: the same plan by bwrap + setpriv, ${pairwiseRatio(bwrapT, floorT).toFixed(2)}x the floor; rnx is ${pairwiseRatio(rnxT, bwrapT).toFixed(2)}x that`
        : (noBwrapFloor ?? ''),
    );
  } finally {
    await sandbox.release();
    db.close();
    rnx('network', 'remove', 'benchnet');
    execFileSync('ip', ['link', 'del', 'benchbr']);
  }
}

try {
  await dagBench();
  await networkBench();
} finally {
  scratch.cleanup();
}
