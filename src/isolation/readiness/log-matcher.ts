/**
 * The `log` probe: a regular expression matched against each line of the job's output (stdout and
 * stderr, each split on its own). A line longer than 64 KiB is matched by its first 64 KiB.
 */
const MAX_LINE = 64 * 1024;

export class LogMatcher {
  private readonly pattern: RegExp;
  private readonly partial = { stdout: '', stderr: '' };
  private matchedLine: string | undefined;
  private onMatch: ((line: string) => void) | undefined;

  constructor(pattern: string) {
    this.pattern = new RegExp(pattern);
  }

  /** The first line that matched, once one has. */
  get matched(): string | undefined {
    return this.matchedLine;
  }

  /** Called once, at the first matching line (at once when one matched already). */
  whenMatched(callback: (line: string) => void): void {
    if (this.matchedLine !== undefined) callback(this.matchedLine);
    else this.onMatch = callback;
  }

  push(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.matchedLine !== undefined) return;
    const lines = (this.partial[stream] + chunk.toString('utf8')).split('\n');
    const rest = lines.pop() ?? '';
    this.partial[stream] = rest.length > MAX_LINE ? rest.slice(0, MAX_LINE) : rest;
    for (const line of lines) {
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (this.pattern.test(text.slice(0, MAX_LINE))) {
        this.matchedLine = text;
        this.onMatch?.(text);
        this.onMatch = undefined;
        return;
      }
    }
  }
}
