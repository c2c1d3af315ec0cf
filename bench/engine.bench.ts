/**
 * The engine against baselines measured in the same run:
 *   1. a seeded random 500-job DAG of PID-isolated `true` jobs (network none) at concurrency 2,
 *      against `make -j2` running `unshare --pid --fork --mount-proc true` over the same graph;
 *   2. 50 independent jobs on a bridge network at concurrency 1, against a shell script doing the
 *      same kernel work (unshare, veth with its peer made in the job's netns, `ip -batch` wiring).
 * Aims: within 1.5x make, within 1.3x the shell script per networked job.
 *
 *   npm run bench -- engine
 */
import { writeFileSync } from 'node:fs';
import { realEngineDeps } from '../src/cli/engine-deps.js';
import { specFor } from '../src/engine/job-spec-for.js';
import { newRunId } from '../src/engine/records.js';
import { newJobId } from '../src/isolation/records/job-id.js';
import { runJob } from '../src/isolation/runner.js';
import { runWorkflow } from '../src/engine/run.js';
import { createNetwork, ensureNetworkOnHost, removeNetwork } from '../src/networks/index.js';
import { ok } from '../src/problem.js';
import { openDatabase, type Database } from '../src/state/database.js';
import type { Plan } from '../src/validate/model.js';
import { tempDir } from '../test/helpers/cli.js';
import {
  dagPlan,
  independentPlan,
  makefile,
  networkedShellScript,
  randomDag,
} from './engine-graphs.js';
import { compare, fmt, median, timeCommand, timeRuns } from './timing.js';

const DAG_JOBS = 500;
const NET_JOBS = 50;
const RUNS = 3;
/** Networked runs are short and noisy on a shared machine: more pairs. */
const NET_RUNS = 6;

async function runPlan(db: Database, dir: string, plan: Plan, concurrency: number): Promise<void> {
  const result = await runWorkflow(plan, realEngineDeps(db, dir), {
    runId: newRunId(),
    concurrency,
    onEvent: () => undefined,
  });
  if (!result.ok) throw new Error(result.problem.message);
  const bad = result.value.jobs.find((j) => j.status !== 'COMPLETED');
  if (bad !== undefined) {
    throw new Error(`job ${bad.job} ended ${bad.status} (${bad.reason ?? ''} ${bad.cause ?? ''})`);
  }
}

async function dagBench(db: Database, dir: string): Promise<void> {
  const dag = randomDag(DAG_JOBS);
  const edges = dag.reduce((n, node) => n + node.requires.length, 0);
  const mk = `${dir}/dag.mk`;
  writeFileSync(mk, makefile(dag));
  const plan = dagPlan(dag);
  const r = await compare(
    RUNS,
    () => runPlan(db, dir, plan, 2),
    () => timeCommand('make', ['-s', '-j2', '-f', mk, 'all']),
  );
  console.log(`random DAG: ${String(DAG_JOBS)} jobs, ${String(edges)} edges, concurrency 2`);
  console.log(`  rnx engine   ${fmt(r.a)}  (${fmt(r.a / DAG_JOBS)} per job)`);
  console.log(`  make -j2     ${fmt(r.b)}  (${fmt(r.b / DAG_JOBS)} per job)`);
  console.log(`  ratio        ${r.ratio.toFixed(2)}x make (aim: <= 1.5x)`);
  const alone = await timeRuns(RUNS, () => engineOnly(plan));
  console.log(
    `  engine alone ${fmt(median(alone))} (${fmt(median(alone) / DAG_JOBS)} per job: scheduling, queue, events; jobs end at once)`,
  );
}

/** The plan's jobs through runJob one after another, each leasing its own address. */
async function runnerLoop(db: Database, dir: string, plan: Plan): Promise<void> {
  for (const job of plan.jobs) {
    const spec = specFor(job, newJobId(), 'bench', []);
    const result = await runJob(spec, {}, { db, stateDir: dir });
    if (result.status !== 'COMPLETED') throw new Error(`runJob: ${result.reason}`);
  }
}

/** The engine's own cost: the same plan with a runner whose jobs end as soon as they start. */
async function engineOnly(plan: Plan): Promise<void> {
  let ids = 0;
  await runWorkflow(
    plan,
    {
      newJobId: () => `bench${String(++ids)}`,
      addresses: { lease: () => Promise.resolve(ok(undefined)), release: () => Promise.resolve() },
      runner: {
        async run(spec, _lease, hooks) {
          hooks.onStarted({ pid: 1 });
          await new Promise((resolve) => setImmediate(resolve));
          const at = new Date().toISOString();
          return {
            id: spec.id,
            status: 'COMPLETED',
            reason: 'exit',
            exitCode: 0,
            signal: null,
            network: spec.network,
            endedAt: at,
          };
        },
      },
    },
    { runId: 'engine-only', concurrency: 2, onEvent: () => undefined },
  );
}

async function networkBench(db: Database, dir: string): Promise<void> {
  const created = await createNetwork(db, { name: 'benchnet', cidr: '10.77.0.0/24' });
  if (!created.ok) throw new Error(created.problem.message);
  const onHost = await ensureNetworkOnHost(created.value);
  if (!onHost.ok) throw new Error(onHost.problem.message);
  const script = `${dir}/net.sh`;
  // The shell baseline uses a bridge of its own, wired the same way.
  writeFileSync(script, networkedShellScript(NET_JOBS, 'benchbr', '10.78.0', '10.78.0.1'));
  timeCommand('sh', [
    '-c',
    'ip link add benchbr type bridge && ip addr add 10.78.0.1/24 dev benchbr && ip link set benchbr up',
  ]);
  const plan = independentPlan(NET_JOBS, 'benchnet');
  try {
    const r = await compare(
      NET_RUNS,
      () => runPlan(db, dir, plan, 1),
      () => timeCommand('sh', [script]),
    );
    console.log(
      `networked: ${String(NET_JOBS)} independent jobs on a bridge network, concurrency 1`,
    );
    console.log(`  rnx engine   ${fmt(r.a / NET_JOBS)} per job`);
    console.log(`  shell script ${fmt(r.b / NET_JOBS)} per job`);
    console.log(`  ratio        ${r.ratio.toFixed(2)}x the shell script (aim: <= 1.3x)`);
    // Where the time goes: the same jobs through runJob in a plain loop, without the engine.
    const loop = await compare(
      NET_RUNS,
      () => runPlan(db, dir, plan, 1),
      () => runnerLoop(db, dir, plan),
    );
    console.log(
      `  runJob loop  ${fmt(loop.b / NET_JOBS)} per job (no engine: ${loop.ratio.toFixed(2)}x)`,
    );
  } finally {
    await removeNetwork(db, 'benchnet');
  }
}

const scratch = tempDir('rnx-bench-engine-');
const db = openDatabase(scratch.dir);
try {
  await dagBench(db, scratch.dir);
  try {
    await networkBench(db, scratch.dir);
  } catch (error) {
    console.log(`networked: not measured: ${(error as Error).message}`);
  }
} finally {
  db.close();
  scratch.cleanup();
}
