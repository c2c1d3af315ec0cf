/**
 * Names made from a hash or from random bytes, without node:crypto: loading it costs a start of
 * `rnx job run` about 5 ms of CPU (its dozen internal modules), more than everything these names
 * need; so does Web Crypto's global `crypto` (it loads Node's key handling). Random bytes are read
 * from the kernel's generator, /dev/urandom, as `crypto.randomBytes` gets them; SHA-256 comes from
 * @noble/hashes (audited, pure JavaScript), the same digests as node:crypto, so names made before
 * stay the same.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { closeSync, openSync, readSync } from 'node:fs';

/** `bytes` random bytes as lowercase hex (2 characters each). */
export function randomHex(bytes: number): string {
  const random = Buffer.alloc(bytes);
  const fd = openSync('/dev/urandom', 'r');
  try {
    // The kernel returns up to 256 bytes from /dev/urandom in one read, never fewer.
    if (readSync(fd, random) !== bytes) throw new Error('short read from /dev/urandom');
  } finally {
    closeSync(fd);
  }
  return random.toString('hex');
}

/** The SHA-256 of `text` (UTF-8) as lowercase hex, cut to its first `length` characters. */
export function sha256Hex(text: string, length = 64): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, length);
}
