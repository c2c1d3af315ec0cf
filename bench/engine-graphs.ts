/**
 * Inputs for the engine benchmark: a seeded random DAG, the same DAG as a Makefile (the `make -j`
 * baseline), the same DAG as a Plan (what the engine runs), and the shell baseline for networked
 * jobs (unshare, then `ip -batch` wiring, as a hand-written script would do it).
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

export const PID_ISOLATED_TRUE = ['unshare', '--pid', '--fork', '--mount-proc', 'true'];

export function makefile(dag: readonly DagNode[]): string {
  const lines = ['.PHONY: all ' + dag.map((n) => n.name).join(' '), ''];
  lines.push(`all: ${dag.map((n) => n.name).join(' ')}`, '');
  for (const node of dag) {
    lines.push(`${node.name}: ${node.requires.join(' ')}`, `\t@${PID_ISOLATED_TRUE.join(' ')}`);
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

export function independentPlan(count: number, network: string): Plan {
  const jobs = Array.from({ length: count }, (_, i) => job(`n${String(i)}`, network, []));
  return { file: 'bench-net', name: 'bench-net', jobs, waves: [] };
}

/**
 * The shell baseline for one networked job, repeated `count` times one after another: a job in new
 * PID/mount/net namespaces that says it is ready and waits on a fifo, its veth made with the peer straight in its netns,
 * the host end on the bridge, `ip -batch` inside for address, lo, eth0 and the default route, then
 * the go signal, the wait, and the veth removed.
 */
export function networkedShellScript(
  count: number,
  bridge: string,
  prefix: string,
  gateway: string,
): string {
  return `set -e
dir=$(mktemp -d)
i=0
while [ $i -lt ${String(count)} ]; do
  mkfifo "$dir/go" "$dir/ready"
  unshare --pid --net --mount --fork --mount-proc \
    sh -c 'echo > "$1"; read _ < "$0"; exec true' "$dir/go" "$dir/ready" &
  pid=$!
  read _ < "$dir/ready"
  ip link add bv$i type veth peer name eth0 netns $pid
  ip -batch - <<EOF
link set bv$i master ${bridge}
link set bv$i up
EOF
  nsenter -t $pid -n ip -batch - <<EOF
addr add ${prefix}.$((i + 10))/24 dev eth0
link set lo up
link set eth0 up
route add default via ${gateway}
EOF
  echo go > "$dir/go"
  wait $pid
  ip link del bv$i 2>/dev/null || true
  rm "$dir/go" "$dir/ready"
  i=$((i + 1))
done
rm -r "$dir"
`;
}
