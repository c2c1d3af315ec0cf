/**
 * 32-bit FNV-1a of a string's UTF-16 code units: a cheap, stable hash for names and stamps (a
 * cache file's place tag, the state database's migration stamp), never for checks against
 * tampering. Plain arithmetic: no node:crypto, whose loading costs a start more than the hashing.
 */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
