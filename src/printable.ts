/**
 * Text from workflow files and the command line, made safe to print: control characters shown
 * escaped (a file must not clear the screen or set the window title through a diagnostic), and
 * long text clipped so that one value cannot flood the terminal.
 */

/** C0 and C1 controls but tab and newline, DEL, and the bidirectional overrides ("Trojan Source"). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `\x1b`, `\x00`, `\u202e`: control characters written out, everything else as it is. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** The longest message or hint a diagnostic or problem carries, in characters. */
export const MAX_TEXT = 400;

/** `text` cut to `max` characters, saying how much was left out. */
export function clip(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${String(text.length - max)} more characters)`;
}
