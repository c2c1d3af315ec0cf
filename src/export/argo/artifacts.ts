/**
 * `artifacts:` (paths under /work kept when the job completes) as Argo output artifacts, saved to
 * the cluster's artifact repository. Argo saves paths, not patterns: a glob becomes the directory
 * above its first wildcard, with a warning. Each artifact is optional, so a failed job that never
 * wrote it stays Failed (not Errored), and FAILED branches still run.
 */
import type { IArtifact } from '@kubernetes-models/argo-workflows/argoproj.io/v1alpha1/Artifact';
import type { PlannedJob } from '../../validate/model.js';
import type { Report } from './report.js';

export function outputArtifacts(job: PlannedJob, report: Report): IArtifact[] {
  return (job.artifacts ?? []).map((path, index) => {
    const clean = path.replace(/^\.?\/+/, '').replace(/^work\//, '');
    const parts = clean.split('/');
    const wild = parts.findIndex((p) => /[*?[\]{}]/.test(p));
    const kept = wild === -1 ? clean : parts.slice(0, wild).join('/');
    if (wild !== -1) {
      report.warning(
        report.job(job.name, 'artifacts', index),
        'argo-artifact-glob',
        `artifact '${path}' of job '${job.name}' is a pattern: Argo saves paths, so it keeps ${kept === '' ? 'all of /work' : `the directory /work/${kept}`}`,
      );
    }
    return {
      name: `artifact-${index}`,
      path: kept === '' ? '/work' : `/work/${kept}`,
      optional: true,
    };
  });
}
