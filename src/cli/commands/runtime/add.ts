/** `rnx runtime add NAME DIR`: registers a root filesystem directory as a runtime. */
import { addRuntime } from '../../../isolation/filesystem/runtimes.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { writeLine } from '../../print.js';
import { openState, positionalsOrProblem, reportProblem } from '../../stores.js';

export const command: Command = {
  path: 'runtime add',
  usage: 'rnx runtime add NAME DIR',
  summary: 'Register a root filesystem directory as a runtime for --runtime',
  details: `DIR must hold a Linux userland with a shell and umount in bin/ or usr/bin/ (e.g. made
by debootstrap, or a static busybox with its links). Jobs never change it: each job writes to its
own throwaway layer on top.

Examples:
  debootstrap --variant=minbase bookworm /srv/rootfs/debian-12
  rnx runtime add debian-12 /srv/rootfs/debian-12
  rnx job run --runtime=debian-12 cat /etc/os-release`,
  options: {},
  run(ctx, args) {
    const usage = positionalsOrProblem(args.positionals, ['NAME', 'DIR']);
    if (usage !== undefined) return Promise.resolve(reportProblem(ctx, usage));
    const { db } = openState(ctx);
    const added = addRuntime(db, args.positionals[0] ?? '', args.positionals[1] ?? '', ctx.cwd);
    if (!added.ok) return Promise.resolve(reportProblem(ctx, added.problem));
    writeLine(ctx.stdout, `added runtime ${added.value.name} (${added.value.root})`);
    return Promise.resolve(EXIT.ok);
  },
};
