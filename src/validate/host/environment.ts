/**
 * The host side: every network, volume and runtime the file names must exist in the catalog.
 * One diagnostic per missing name, at its first use, with the other uses as related locations.
 */
import { closest, listSome } from '../../suggest.js';
import { DEFAULT_NETWORK } from '../../networks/builtins.js';
import type { CatalogKind } from './catalog.js';
import type { Diagnostic } from '../diagnostic.js';
import type { DataPath } from '../load/load.js';
import { NAME_PATTERNS } from '../names.js';
import type { Rule, RuleContext } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { pathOf, stringsOf } from '../workflows.js';

type Uses = Map<string, DataPath[]>;

/** Paths already listed, so that matrix instances sharing one place count once (a Set: 8,000 jobs on one network must not cost 8,000² comparisons). */
const listed = new WeakMap<Uses, Set<string>>();

function add(uses: Uses, name: string, path: DataPath, pattern: RegExp): void {
  if (!pattern.test(name)) return; // the schema check already reports the name itself
  let seen = listed.get(uses);
  if (seen === undefined) listed.set(uses, (seen = new Set()));
  const id = `${name}\0\0${path.join('\0')}`;
  if (seen.has(id)) return;
  seen.add(id);
  const list = uses.get(name);
  if (list === undefined) uses.set(name, [path]);
  else list.push(path);
}

function collect(ctx: RuleContext): { networks: Uses; volumes: Uses; runtimes: Uses } {
  const networks: Uses = new Map();
  const volumes: Uses = new Map();
  const runtimes: Uses = new Map();
  const first = ctx.workflows[0];
  if (first !== undefined) {
    for (const v of stringsOf(first.file['volumes']))
      add(volumes, v.value, ['volumes', v.index], NAME_PATTERNS.volume);
  }
  for (const workflow of ctx.workflows) {
    if (workflow.key !== undefined) {
      for (const v of stringsOf(workflow.data['volumes']))
        add(volumes, v.value, [...workflow.path, 'volumes', v.index], NAME_PATTERNS.volume);
    }
    for (const job of workflow.jobs) {
      const network = job.data['network'];
      if (typeof network === 'string')
        add(networks, network, pathOf(job, 'network'), NAME_PATTERNS.network);
      else if (network === undefined)
        add(networks, DEFAULT_NETWORK, job.path, NAME_PATTERNS.network);
      for (const v of stringsOf(job.data['volumes']))
        add(volumes, v.value, [...pathOf(job, 'volumes'), v.index], NAME_PATTERNS.volume);
      const runtime = job.data['runtime'];
      if (typeof runtime === 'string')
        add(runtimes, runtime, pathOf(job, 'runtime'), NAME_PATTERNS.runtime);
    }
  }
  return { networks, volumes, runtimes };
}

/**
 * The used names the catalog lacks. It is asked name by name (`has`), so that one that reads its
 * stores lazily reads them only for a name that is not built in; its whole list (`catalogNames`)
 * only for the message of a missing one.
 */
function missing(
  ctx: RuleContext,
  uses: Uses,
  kind: CatalogKind,
  catalogNames: () => readonly string[],
  code: string,
  howToCreate: (name: string) => string,
): Diagnostic[] {
  let known: readonly string[] | undefined;
  const out: Diagnostic[] = [];
  for (const [name, paths] of uses) {
    if (ctx.catalog.has(kind, name)) continue;
    known ??= catalogNames();
    const [firstUse, ...others] = paths as [DataPath, ...DataPath[]];
    const guess = closest(name, known);
    const existing =
      known.length === 0 ? `there are no ${kind}s yet` : `existing ${kind}s: ${listSome(known)}`;
    out.push(
      diagnosticAt(
        ctx.loaded,
        { path: firstUse },
        {
          code,
          message: `${kind} '${name}' does not exist${guess === undefined ? '' : `; did you mean '${guess}'?`}`,
          hint: `${howToCreate(name)}; ${existing}`,
          related: others.map((path) => ({ path, message: `'${name}' is also used here` })),
        },
      ),
    );
  }
  return out;
}

export const checkEnvironment: Rule = (ctx) => {
  const uses = collect(ctx);
  return [
    ...missing(
      ctx,
      uses.networks,
      'network',
      () => ctx.catalog.networks,
      'missing-network',
      (n) =>
        `create it with 'rnx network create ${n} --cidr=CIDR', CIDR a free private range such as 10.30.0.0/24`,
    ),
    ...missing(
      ctx,
      uses.volumes,
      'volume',
      () => ctx.catalog.volumes,
      'missing-volume',
      (n) => `create it with 'rnx volume create ${n}'`,
    ),
    ...missing(
      ctx,
      uses.runtimes,
      'runtime',
      () => ctx.catalog.runtimes,
      'missing-runtime',
      (n) => `register a root filesystem named '${n}' first`,
    ),
  ];
};
