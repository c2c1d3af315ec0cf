/**
 * Names made from a hash or from random bytes, without node:crypto: loading it costs a start of
 * `rnx job run` about 5 ms of CPU (its dozen internal modules), more than everything these names
 * need. Random bytes come from Web Crypto's `crypto.getRandomValues` (a global of Node, from the
 * kernel's generator like `crypto.randomBytes`); SHA-256 from @noble/hashes (audited, pure
 * JavaScript), which gives the same digests as node:crypto, so names made before stay the same.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** `bytes` random bytes as lowercase hex (2 characters each). */
export function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('hex');
}

/** The SHA-256 of `text` (UTF-8) as lowercase hex, cut to its first `length` characters. */
export function sha256Hex(text: string, length = 64): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, length);
}
