/**
 * The names the engine gives a job's /etc/hosts: the other jobs of the same workflow run that are
 * running on its own network, with the addresses they got when they started. Addresses are leased
 * by the runner when a job starts (one owner per lease: the attempt's job id), so a job that has
 * not started yet has no address to list; it is found by the jobs started before it through the
 * per-network names the runner keeps (see the README's "Names" section). Jobs on other networks
 * are never listed, nor jobs of networks whose jobs cannot reach each other (`isolated`).
 */
import type { HostEntry } from '../isolation/job-spec.js';
import type { PlannedJob } from '../validate/model.js';

interface Running {
  readonly network: string;
  readonly address: string;
}

export class RunningNames {
  private readonly running = new Map<string, Running>();

  /** `job` runs on `network` at `address`; `listed: false` keeps it out of others' hosts. */
  started(job: string, network: string, address: string | undefined, listed = true): void {
    if (address === undefined || !listed) return;
    this.running.set(job, { network, address });
  }

  ended(job: string): void {
    this.running.delete(job);
  }

  /** The address `job` is running at, if it is running and has one. */
  addressOf(job: string): string | undefined {
    return this.running.get(job)?.address;
  }

  /** The running jobs of `job`'s network but itself, in the order they started. */
  hostsFor(job: PlannedJob): HostEntry[] {
    const hosts: HostEntry[] = [];
    for (const [name, other] of this.running) {
      if (name !== job.name && other.network === job.network) {
        hosts.push({ name, address: other.address });
      }
    }
    return hosts;
  }
}
