/** `artifacts:` paths are relative to the job's /work and stay inside it (no '/...', no '..'). */
import type { Diagnostic } from '../diagnostic.js';
import type { Rule } from '../rule.js';
import { diagnosticAt } from '../rule.js';
import { stringsOf, writtenJobs } from '../workflows.js';

export function artifactPathProblem(path: string): string | undefined {
  if (path.startsWith('/')) return 'starts with /';
  if (path.split('/').includes('..')) return "goes up with '..'";
  if (path.split('/').every((part) => part === '' || part === '.')) return 'names /work itself';
  return undefined;
}

export const checkArtifacts: Rule = ({ loaded, workflows }) => {
  const out: Diagnostic[] = [];
  for (const workflow of workflows) {
    for (const job of writtenJobs(workflow)) {
      for (const a of stringsOf(job.data['artifacts'])) {
        const problem = artifactPathProblem(a.value);
        if (problem === undefined) continue;
        out.push(
          diagnosticAt(
            loaded,
            { path: [...job.path, 'artifacts', a.index] },
            {
              code: 'artifact-outside',
              message: `artifact '${a.value}' of job '${job.name}' ${problem}`,
              hint: "name artifacts relative to the job's /work, e.g. dist/app.txt or 'reports/*.xml'",
            },
          ),
        );
      }
    }
  }
  return out;
};
