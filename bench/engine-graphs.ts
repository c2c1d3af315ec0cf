/**
 * Inputs for the engine benchmark: a seeded random DAG, the same DAG as a Makefile (the `make -j`
 * baseline), as a workflow file and as a Plan (what rnx runs), and the hand-written shell baseline
 * for networked jobs (two phases: the job waits on a pipe while its network is wired).
 */
import type { PlannedJob, Plan } from '../src/validate/model.js';

export interface DagNode {
  readonly name: string;
  readonly requires: readonly string[];
}

/** Mulberry32: a small seeded PRNG, so every run benchmarks the same graph. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` jobs; each requires 0 to 3 distinct earlier jobs (so the graph is acyclic). */
export function randomDag(n: number, seed = 42): DagNode[] {
  const rnd = random(seed);
  const nodes: DagNode[] = [];
  for (let i = 0; i < n; i++) {
    const count = i === 0 ? 0 : Math.floor(rnd() * 4);
    const requires = new Set<string>();
    for (let k = 0; k < count; k++) requires.add(`j${String(Math.floor(rnd() * i))}`);
    nodes.push({ name: `j${String(i)}`, requires: [...requires] });
  }
  return nodes;
}

/** The job of the two-phase baseline: says it is up, waits for the go on its stdin, then runs. */
export const WAIT_FOR_GO = `sh -c 'echo up; read go; exec true'`;

/** The namespaces an rnx job gets, as `unshare` flags (the command goes after them). */
export const ISOLATED = [
  'unshare',
  '--pid',
  '--net',
  '--mount',
  '--uts',
  '--ipc',
  '--fork',
  '--mount-proc',
];

/**
 * The DAG as a Makefile whose every target runs `command` (by default `true` in the namespaces of
 * an rnx job).
 */
export function makefile(dag: readonly DagNode[], command = `${ISOLATED.join(' ')} true`): string {
  const lines = ['.PHONY: all ' + dag.map((n) => n.name).join(' '), ''];
  lines.push(`all: ${dag.map((n) => n.name).join(' ')}`, '');
  for (const node of dag) {
    lines.push(`${node.name}: ${node.requires.join(' ')}`, `\t@${command}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The DAG as a workflow file of `true` jobs on `network`. */
export function dagWorkflow(dag: readonly DagNode[], network: string): string {
  const lines = ['name: bench-dag', 'jobs:'];
  for (const node of dag) {
    lines.push(`  ${node.name}:`, "    command: 'true'", `    network: ${network}`);
    if (node.requires.length > 0) {
      lines.push('    requires:', ...node.requires.map((r) => `      - ${r}: COMPLETED`));
    }
  }
  return `${lines.join('\n')}\n`;
}

function job(name: string, network: string, requires: readonly string[]): PlannedJob {
  return {
    name,
    command: 'true',
    args: [],
    network,
    volumes: [],
    uploads: { files: [], directories: [] },
    requires: requires.map((r) => ({ job: r, condition: 'COMPLETED' })),
    environment: {},
    secretEnvironment: {},
    resources: {},
    retries: 0,
  };
}

export function dagPlan(dag: readonly DagNode[]): Plan {
  return {
    file: 'bench-dag',
    name: 'bench-dag',
    jobs: dag.map((n) => job(n.name, 'none', n.requires)),
    waves: [],
  };
}

/**
 * The hand-written two-phase baseline for `count` networked jobs one after another (bash). Each job
 * starts in the namespaces of an rnx job as a coprocess that says it is up, then waits on its
 * standard input, a pipe, for the go. Phase 2: one `ip -batch` makes its veth with the peer born
 * inside its netns and the host end on the bridge, then `nsenter ... ip -batch -` sets the
 * address, lo, eth0 and the default route. Then the go, and the wait; the veth goes with the netns.
 */
export function networkedShellScript(
  count: number,
  bridge: string,
  prefix: string,
  gateway: string,
  sandbox?: string,
): string {
  // With rnx's own sandbox (rnx-sandbox or bwrap), the job is the sandbox program's one child:
  // its pid is the one in the netns.
  const start = sandbox ?? `${ISOLATED.join(' ')} ${WAIT_FOR_GO}`;
  const netnsPid =
    sandbox === undefined ? '$JOB_PID' : '$(tr -d " " < /proc/$JOB_PID/task/$JOB_PID/children)';
  return `set -e
for ((i = 0; i < ${String(count)}; i++)); do
  coproc JOB { exec ${start}; }
  read -r up <&"\${JOB[0]}"
  pid=${netnsPid}
  echo "link add name bv$i master ${bridge} up type veth peer name eth0 netns $pid" | ip -batch -
  printf '%s\\n' "addr add ${prefix}.$((i + 10))/24 dev eth0" 'link set lo up' 'link set eth0 up' \\
    'route add default via ${gateway}' | nsenter --net=/proc/$pid/ns/net ip -batch -
  echo go >&"\${JOB[1]}"
  wait $JOB_PID
done
`;
}
