/**
 * The host's block devices that an io limit applies to: every whole disk in /sys/block with a
 * non-zero size (throttling works on whole disks, not partitions), skipping RAM disks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockDevice } from './limits.js';

export function blockDevices(sysBlock = '/sys/block'): BlockDevice[] {
  const devices: BlockDevice[] = [];
  let names: string[];
  try {
    names = readdirSync(sysBlock);
  } catch {
    return devices;
  }
  for (const name of names.sort()) {
    if (/^(ram|loop)\d+$/.test(name)) continue;
    try {
      const size = Number(readFileSync(join(sysBlock, name, 'size'), 'utf8').trim());
      const device = readFileSync(join(sysBlock, name, 'dev'), 'utf8').trim();
      if (size > 0 && /^\d+:\d+$/.test(device)) devices.push({ name, device });
    } catch {
      // A device that vanished while we looked is not one to limit.
    }
  }
  return devices;
}
