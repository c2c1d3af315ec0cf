/**
 * Inside the test namespace: loopback up, a private /run/netns, and a fake outside world: a host at
 * 198.51.100.1 (TEST-NET-2) in its own namespace `upstream`, reached through the default route. It
 * never reaches a real network; everything vanishes with the namespace.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export const UPSTREAM_ADDRESS = '198.51.100.1';
/** The test namespace's own address towards the fake outside host (what NAT rewrites to). */
export const HOST_UPLINK_ADDRESS = '198.51.100.2';

function sh(script: string): void {
  execFileSync('sh', ['-ec', script], { stdio: 'inherit' });
}

export function setUpSandbox(): void {
  sh(`
    ip link set lo up
    mkdir -p /run/netns
    mount -t tmpfs -o mode=755 rnx-test-netns /run/netns
    ip netns add upstream
    ip link add up-host type veth peer name up-world netns upstream
    ip addr add ${HOST_UPLINK_ADDRESS}/24 dev up-host
    ip link set up-host up
    ip -n upstream addr add ${UPSTREAM_ADDRESS}/24 dev up-world
    ip -n upstream link set up-world up
    ip -n upstream link set lo up
    ip route add default via ${UPSTREAM_ADDRESS}
  `);
}

/**
 * Unless already inside, re-runs `script` (with this process's arguments) inside a fresh network +
 * mount namespace and exits with its status. Returns only when running inside the sandbox.
 */
export function enterSandbox(script: string): void {
  if (process.env['RNX_TEST_SANDBOX'] === '1') return;
  const result = spawnSync(
    'unshare',
    [
      '--net',
      '--mount',
      '--propagation',
      'private',
      '--fork',
      '--',
      process.execPath,
      script,
      ...process.argv.slice(2),
    ],
    { stdio: 'inherit', env: { ...process.env, RNX_TEST_SANDBOX: '1' } },
  );
  if (result.error) {
    console.error(`could not create the test namespace: ${result.error.message}`);
    process.exit(1);
  }
  process.exit(result.status ?? 1);
}
