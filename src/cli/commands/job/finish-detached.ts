/**
 * `rnx job finish-detached ID STATUS|abandoned`: not for people. A detached job's supervisor
 * becomes this command when the job's start process has ended with STATUS (or its relay, when the
 * start was abandoned): it records the job's end and
 * releases what the job held (src/isolation/detach/finish.ts). Prints nothing.
 */
import { finishDetachedJob } from '../../../isolation/detach/finish.js';
import { ABANDONED } from '../../../isolation/detach/supervisor.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../exit-codes.js';

export const command: Command = {
  path: 'job finish-detached',
  usage: 'rnx job finish-detached ID STATUS   (run by a detached job’s supervisor)',
  needs: () => ({ root: "it releases a job's cgroups, veth and address lease" }),
  summary: "Record a detached job's end and release what it held (internal)",
  options: {},
  async run(ctx, args) {
    const [id, status] = args.positionals;
    if (
      id === undefined ||
      status === undefined ||
      (status !== ABANDONED && !/^[0-9]{1,3}$/.test(status))
    ) {
      return EXIT.usage;
    }
    const dir = stateDir(ctx.env);
    await finishDetachedJob(
      sharedDatabase(dir),
      dir,
      id,
      status === ABANDONED ? ABANDONED : Number(status),
    );
    return EXIT.ok;
  },
};
