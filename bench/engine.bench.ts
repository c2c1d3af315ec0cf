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
 * (1): `make -j2` running rnx's own job sandbox (the very bwrap + setpriv command line of a
 * host-root `none` job: its mounts, /dev, masked paths, capabilities) over the same graph, in the
 * same alternation, so that rnx's own cost shows apart from the kernel work its jobs ask for; and
 * the kernel's floor under that: the same plan made by one small compiled process
 * (bench/sandbox-floor.c, when a C compiler is there), which shows what bwrap + setpriv add.
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
import { jobSandbox, shellWord } from './job-sandbox.js';
import { compiledFloor } from './sandbox-floor.js';
import { alternate, fmt, median, pairwiseRatio, timeCommand, timeRuns } from './timing.js';
import { openDatabase } from '../src/state/database.js';

const DAG_JOBS = 300;
const NET_JOBS = 40;
const RUNS = 3;
/** Networked runs are short and noisy on a shared machine: more pairs. */
const NET_RUNS = 5;

const scratch = tempDir('rnx-bench-engine-');
const env = { ...process.env, RNX_STATE_DIR: join(scratch.dir, 'state'), NO_COLOR: '1' };
const floor = compiledFloor(scratch.dir);

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
  writeFileSync(mkSandbox, makefile(dag, sandbox.argv.map(shellWord).join(' ')));
  const mkFloor = join(scratch.dir, 'dag-floor.mk');
  if (floor !== undefined) {
    writeFileSync(mkFloor, makefile(dag, floor.argv(sandbox).map(shellWord).join(' ')));
  }
  writeFileSync(wf, dagWorkflow(dag, 'none'));
  const [rnxT = [], makeT = [], floorT = [], kernelT = []] = await alternate(RUNS, [
    () => rnx('job', 'run', `--workflow=${wf}`, '--concurrency=2'),
    () => void timeCommand('make', ['-s', '-j2', '-f', mk, 'all']),
    () => void timeCommand('make', ['-s', '-j2', '-f', mkSandbox, 'all']),
    ...(floor === undefined
      ? []
      : [() => void timeCommand('make', ['-s', '-j2', '-f', mkFloor, 'all'])]),
  ]);
  await sandbox.release();
  db.close();
  console.log(`random DAG: ${String(DAG_JOBS)} jobs, ${String(edges)} edges, concurrency 2`);
  console.log(`  rnx          ${fmt(median(rnxT))}  (${fmt(median(rnxT) / DAG_JOBS)} per job)`);
  console.log(`  make -j2     ${fmt(median(makeT))}  (${fmt(median(makeT) / DAG_JOBS)} per job)`);
  console.log(
    `  make -j2, rnx's job sandbox (bwrap + setpriv) ${fmt(median(floorT))}  (${fmt(median(floorT) / DAG_JOBS)} per job)`,
  );
  console.log(`  ratio        ${pairwiseRatio(rnxT, makeT).toFixed(2)}x make (aim: <= 2.5x)`);
  console.log(
    `  floor        ${pairwiseRatio(floorT, makeT).toFixed(2)}x make: the same sandboxes run by make; rnx is ${pairwiseRatio(rnxT, floorT).toFixed(2)}x that`,
  );
  if (kernelT.length > 0) {
    console.log(
      `  kernel floor ${pairwiseRatio(kernelT, makeT).toFixed(2)}x make: the same plan made by one compiled process (bench/sandbox-floor.c), ${fmt(median(kernelT))}; bwrap + setpriv are ${pairwiseRatio(floorT, kernelT).toFixed(2)}x that, rnx ${pairwiseRatio(rnxT, kernelT).toFixed(2)}x`,
    );
  }
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
  // floor is the same script starting rnx's own job sandbox (bwrap + setpriv) instead of unshare.
  writeFileSync(script, networkedShellScript(NET_JOBS, 'benchbr', '10.78.0', '10.78.0.1'));
  const stateDir = join(scratch.dir, 'sandbox-state-net');
  const db = openDatabase(stateDir);
  const sandbox = await jobSandbox(db, stateDir, ['sh', '-c', 'echo up; read go; exec true']);
  const floorScript = join(scratch.dir, 'net-sandbox.sh');
  const kernelScript = join(scratch.dir, 'net-floor.sh');
  if (floor !== undefined) {
    writeFileSync(
      kernelScript,
      networkedShellScript(
        NET_JOBS,
        'benchbr',
        '10.78.0',
        '10.78.0.1',
        floor.argv(sandbox).map(shellWord).join(' '),
      ),
    );
  }
  writeFileSync(
    floorScript,
    networkedShellScript(
      NET_JOBS,
      'benchbr',
      '10.78.0',
      '10.78.0.1',
      sandbox.argv.map(shellWord).join(' '),
    ),
  );
  execFileSync('sh', [
    '-ec',
    'ip link add benchbr type bridge; ip addr add 10.78.0.1/24 dev benchbr; ip link set benchbr up',
  ]);
  try {
    const [rnxT = [], shT = [], floorT = [], kernelT = []] = await alternate(NET_RUNS, [
      () => rnx('job', 'run', `--workflow=${wf}`, '--concurrency=1'),
      () => void timeCommand('bash', [script]),
      () => void timeCommand('bash', [floorScript]),
      ...(floor === undefined ? [] : [() => void timeCommand('bash', [kernelScript])]),
    ]);
    const per = (t: number[]): string =>
      `${fmt(median(t))}  (${fmt(median(t) / NET_JOBS)} per job)`;
    console.log(`networked: ${String(NET_JOBS)} jobs on a bridge network, one after another`);
    console.log(`  rnx          ${per(rnxT)}`);
    console.log(`  bash script  ${per(shT)}`);
    console.log(`  bash script, rnx's job sandbox (bwrap + setpriv) ${per(floorT)}`);
    console.log(`  ratio        ${pairwiseRatio(rnxT, shT).toFixed(2)}x the script (aim: <= 1.5x)`);
    console.log(
      `  floor        ${pairwiseRatio(floorT, shT).toFixed(2)}x the script: the same sandboxes; rnx is ${pairwiseRatio(rnxT, floorT).toFixed(2)}x that`,
    );
    if (kernelT.length > 0) {
      console.log(
        `  kernel floor ${pairwiseRatio(kernelT, shT).toFixed(2)}x the script: the same plan by one compiled process; bwrap + setpriv are ${pairwiseRatio(floorT, kernelT).toFixed(2)}x that, rnx ${pairwiseRatio(rnxT, kernelT).toFixed(2)}x`,
      );
    }
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
