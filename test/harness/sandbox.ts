/**
 * The test run's throwaway network + mount namespace is the project's own `scripts/sandbox
 * --upstream` (one implementation for the quick start and the tests): loopback up, a private
 * /run/netns, and a fake outside world, a host at 198.51.100.1 (TEST-NET-2) in its own namespace
 * `upstream`, reached through the default route. It never reaches a real network; everything
 * vanishes with the namespace.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

export const UPSTREAM_ADDRESS = '198.51.100.1';
/** The test namespace's own address towards the fake outside host (what NAT rewrites to). */
export const HOST_UPLINK_ADDRESS = '198.51.100.2';

/**
 * Unless already inside, re-runs `script` (with this process's arguments, under the same node)
 * inside `scripts/sandbox --upstream` and exits with its status. Returns only inside the sandbox.
 *
 * The test run's state directory (`RNX_STATE_DIR`, in `scratch`, removed when the sandbox ends) is
 * given to the sandbox too: without it the sandbox makes /var/lib/rnx on the host as the mount
 * point of a throwaway state directory, which no test uses (every rnx a test starts gets the
 * run's own). The benchmarks give theirs too.
 */
export function enterSandbox(repoRoot: string, script: string, scratch?: string): void {
  if (process.env['RNX_TEST_SANDBOX'] === '1') return;
  const result = spawnSync(
    join(repoRoot, 'scripts', 'sandbox'),
    ['--upstream', '--', process.execPath, script, ...process.argv.slice(2)],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        RNX_TEST_SANDBOX: '1',
        ...(scratch === undefined
          ? {}
          : { RNX_TEST_SCRATCH: scratch, RNX_STATE_DIR: join(scratch, 'state') }),
      },
    },
  );
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  if (result.error) {
    console.error(`could not create the test namespace: ${result.error.message}`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}
