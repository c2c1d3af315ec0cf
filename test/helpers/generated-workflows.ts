/**
 * Workflow files generated to reproduce validation blow-ups for real: a block list nested
 * thousands deep, an environment value doubled through `${...}`, thousands of jobs requiring a
 * missing one, and a large valid file. Used by the tests and by `npm run bench -- validate-limits`.
 */

/** A job whose `args` is a block list nested `depth` deep, written compactly: `- - - ... - leaf`. */
export function deeplyNested(depth: number): string {
  return `jobs:\n  a:\n    command: "true"\n    args:\n      ${'- '.repeat(depth)}leaf\n`;
}

/** An environment whose last variable is the first one's value doubled `times` times. */
export function doublingEnvironment(times: number): string {
  const lines = ['environment:', '  V0: "ab"'];
  for (let i = 1; i <= times; i++)
    lines.push(`  V${String(i)}: "\${V${String(i - 1)}}\${V${String(i - 1)}}"`);
  lines.push('jobs:', '  a:', '    command: "true"', '    network: none');
  return `${lines.join('\n')}\n`;
}

/** `count` jobs, each requiring a job that does not exist. */
export function missingRequirements(count: number): string {
  const lines = ['jobs:'];
  for (let i = 0; i < count; i++) {
    lines.push(
      `  job-${String(i)}:`,
      '    command: "true"',
      '    network: none',
      '    requires:',
      `      - missing-${String(i)}: COMPLETED`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A valid chain of `count` jobs, each requiring the one before it (about 147 bytes a job). */
export function validChain(count: number): string {
  const lines = ['name: big', 'jobs:'];
  for (let i = 0; i < count; i++) {
    const name = `job-${String(i).padStart(6, '0')}`;
    lines.push(
      `  ${name}:`,
      '    command: sh',
      `    args: ["-c", "echo step ${String(i)} of the chain"]`,
      '    network: none',
      '    timeout: 30s',
    );
    if (i > 0) {
      lines.push('    requires:', `      - job-${String(i - 1).padStart(6, '0')}: COMPLETED`);
    }
  }
  return `${lines.join('\n')}\n`;
}
