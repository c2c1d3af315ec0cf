/**
 * The words that ask rnx itself, not a command: its version and its help. Shared with the launcher
 * (src/launch/inherited-fds.ts), which runs before the CLI and must know them too.
 */
export const VERSION_WORDS: readonly string[] = ['--version', '-V', 'version'];
export const HELP_WORDS: readonly string[] = ['--help', '-h', 'help'];
