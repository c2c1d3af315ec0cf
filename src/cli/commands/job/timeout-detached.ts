/**
 * `rnx job timeout-detached ID`: not for people. A detached job's timer (its supervisor's relay)
 * becomes this command when the job's timeout has passed: it stops the job as a timeout does and
 * returns once no process of it is left (src/isolation/detach/timeout.ts). Prints nothing.
 */
import { timeOutDetachedJob } from '../../../isolation/detach/timeout.js';
import { sharedDatabase, stateDir } from '../../../state/database.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../exit-codes.js';

export const command: Command = {
  path: 'job timeout-detached',
  usage: 'rnx job timeout-detached ID   (run by a detached job’s timer)',
  summary: 'Stop a detached job whose timeout has passed (internal)',
  options: {},
  async run(ctx, args) {
    const [id] = args.positionals;
    if (id === undefined || args.positionals.length > 1) return EXIT.usage;
    await timeOutDetachedJob(sharedDatabase(stateDir(ctx.env)), id);
    return EXIT.ok;
  },
};
