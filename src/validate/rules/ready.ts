/** `ready` probes the schema cannot check: a `log` pattern must compile, an `http` URL must parse. */
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { isMapData } from '../workflows.js';

export const checkReady: Rule = ({ loaded, workflows }) => {
  const out: Diagnostic[] = [];
  for (const workflow of workflows) {
    for (const job of workflow.jobs) {
      const ready = job.data['ready'];
      if (!isMapData(ready)) continue;
      const at = (key: string): { path: (string | number)[]; part: 'value' } => ({
        path: [...job.path, 'ready', key],
        part: 'value',
      });
      const log = ready['log'];
      if (typeof log === 'string') {
        const problem = regexProblem(log);
        if (problem !== undefined) {
          out.push(
            diagnosticAt(loaded, at('log'), {
              code: 'invalid-regex',
              message: `'ready.log' of job '${job.name}' is not a regular expression: ${problem}`,
              hint: 'JavaScript syntax; escape ( ) [ ] { } . * + ? with a backslash to match them as text',
            }),
          );
        }
      }
      const http = ready['http'];
      if (typeof http === 'string' && http.startsWith('http://') && !URL.canParse(http)) {
        out.push(
          diagnosticAt(loaded, at('http'), {
            code: 'invalid-url',
            message: `'ready.http' of job '${job.name}' is not a URL: '${http}'`,
            hint: 'a path such as /health, or http://HOST:PORT/PATH',
          }),
        );
      }
    }
  }
  return out;
};

function regexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
}
