/** `rnx volume create NAME`: a named persistent directory, mounted at /volumes/NAME in jobs. */
import { createVolume } from '../../../isolation/filesystem/volumes.js';
import type { Command } from '../../context.js';
import { EXIT } from '../../context.js';
import { writeLine } from '../../print.js';
import { stringOption } from '../../args.js';
import { ok } from '../../../problem.js';
import { resolveUser, userDatabaseFor } from '../../../isolation/start/job-user.js';
import { openState, positionalsOrProblem, reportProblem } from '../../stores.js';

export const command: Command = {
  path: 'volume create',
  usage: 'rnx volume create NAME [--owner=USER[:GROUP]]',
  summary: 'Create a named volume that jobs mount read-write at /volumes/NAME',
  details: `Examples:
  rnx volume create pgdata
  rnx volume create pgdata --owner=postgres
  rnx volume create cache --owner=1000:1000
  rnx job run --volume=pgdata sh -c 'date >> /volumes/pgdata/runs'

Without --owner the volume belongs to root until a job running as another user (user:, --user)
first mounts it empty: it then becomes that user's. --owner names a user (and group) of this
host's /etc/passwd and /etc/group, or numbers.`,
  options: {
    owner: {
      type: 'string',
      valueName: 'USER[:GROUP]',
      description: 'who owns the new volume: NAME, UID, NAME:GROUP or UID:GID (default root)',
    },
  },
  run(ctx, args) {
    const usage = positionalsOrProblem(args.positionals, ['NAME']);
    if (usage !== undefined) return Promise.resolve(reportProblem(ctx, usage));
    const ownerText = stringOption(args.options, 'owner');
    const owner =
      ownerText === undefined ? ok(undefined) : resolveUser(ownerText, userDatabaseFor(undefined));
    if (!owner.ok) {
      return Promise.resolve(
        reportProblem(ctx, { ...owner.problem, message: `--owner: ${owner.problem.message}` }),
      );
    }
    const { db, dir } = openState(ctx);
    const created = createVolume(db, dir, args.positionals[0] ?? '', owner.value);
    if (!created.ok) return Promise.resolve(reportProblem(ctx, created.problem));
    const { uid, gid } = created.value.owner;
    const by = uid === 0 && gid === 0 ? '' : `, owned by ${String(uid)}:${String(gid)}`;
    writeLine(ctx.stdout, `created volume ${created.value.name} (${created.value.path}${by})`);
    return Promise.resolve(EXIT.ok);
  },
};
