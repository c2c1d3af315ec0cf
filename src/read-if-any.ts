/** A text file's content, or undefined when it cannot be read (missing, gone, not allowed). */
import { readFileSync } from 'node:fs';

export function readIfAny(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
