/**
 * Blocks of whole lines, as bytes, with `prefix` put before each line: the `job | ` of the plain
 * reporter. Done on the bytes (a UTF-8 newline byte is never part of another character, so
 * multi-byte characters pass unchanged), not with a string `replaceAll`: for 2,000,000 short
 * lines that built ropes of millions of pieces that encoding then copied whole, about 170 ms of a
 * 330 ms workflow run (`npm run bench -- output`, README "What you see").
 *
 * One pass into room for lines of 4 bytes on average; a block of shorter lines overruns it (a
 * typed array drops writes past its end) and is copied again into room counted exactly. For
 * `seq`'s lines the one pass took 84 ms cold and 45 ms warm where counting first took 119 and 90.
 *
 * A big block's room (a 64 kB read of the job's output needs about 230 kB) is used again once the
 * block is written (`written`): a fresh buffer that size is memory the kernel has to map page by
 * page, and V8 frees an old one only at its next garbage collection. For 2,000,000 lines of `seq`
 * fresh buffers took 9,000 more page faults, 110 ms more of a 175 ms prefixing, on a machine
 * where a page fault costs 15 us.
 */
export class LinePrefixer {
  /** Rooms whose blocks were written, free for the next ones. */
  private readonly spares: ArrayBufferLike[] = [];
  /** The rooms this prefixer made (only those go back to `spares`). */
  private readonly own = new WeakSet<ArrayBufferLike>();

  /** `src`'s lines, each after `prefix`; hand the block to `written` once it is written. */
  prefix(src: Uint8Array, prefix: Uint8Array): Buffer {
    const n = src.length;
    const pl = prefix.length;
    const out = this.room(n + (n >> 2) * pl + pl);
    const used = copyLines(src, prefix, out);
    if (used <= out.length) return out.subarray(0, used);
    // Overrun: this room is free again at once.
    this.written(out);
    let lines = 0;
    for (let i = 0; i < n; i++) if (src[i] === 10) lines++;
    // The last line may lack its newline: room for its prefix too.
    const exact = this.room(n + (lines + 1) * pl);
    return exact.subarray(0, copyLines(src, prefix, exact));
  }

  /** `block`, from `prefix`, is written: its room may take a later block. */
  written(block: Buffer): void {
    if (this.own.has(block.buffer) && this.spares.length < MAX_SPARES)
      this.spares.push(block.buffer);
  }

  /** `size` bytes: a spare room when one is big enough, a new one otherwise. */
  private room(size: number): Buffer {
    // Small blocks come from Node's shared pool, which must never be handed back.
    if (size < OWN_ROOM) return Buffer.allocUnsafe(size);
    const at = this.spares.findIndex((spare) => spare.byteLength >= size);
    if (at !== -1) {
      const [spare] = this.spares.splice(at, 1);
      if (spare !== undefined) return Buffer.from(spare, 0, size);
    }
    const fresh = Buffer.allocUnsafeSlow(size);
    this.own.add(fresh.buffer);
    return fresh;
  }
}

/** Blocks this big or bigger get a room of their own, used again once written. */
const OWN_ROOM = 16 * 1024;
/** Written rooms kept for later blocks (more are left to the garbage collector). */
const MAX_SPARES = 4;

/** Copies each line of `src` after `prefix` into `out`; returns the bytes it took (may exceed it). */
function copyLines(src: Uint8Array, prefix: Uint8Array, out: Uint8Array): number {
  const n = src.length;
  const pl = prefix.length;
  let o = 0;
  let i = 0;
  while (i < n) {
    for (let k = 0; k < pl; k++) out[o + k] = prefix[k] ?? 0;
    o += pl;
    // The line, through its newline when it has one.
    while (i < n) {
      const b = src[i++] ?? 0;
      out[o++] = b;
      if (b === 10) break;
    }
  }
  return o;
}
