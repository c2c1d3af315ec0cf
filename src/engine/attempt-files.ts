/**
 * The files of one attempt, through the RunFiles port: made before it starts, and once it ended,
 * its $RNX_OUTPUT read and its artifacts kept (when it completed). The caller removes the
 * attempt's directory. A declared artifact that does not exist, or more than 1 MiB of outputs,
 * turns a completed attempt into FAILED (its exit code kept).
 */
import type { EndReason, JobResult } from '../isolation/job-spec.js';
import { maskSecrets } from '../isolation/output/redact.js';
import type { PlannedJob } from '../validate/model.js';
import { parseOutputFile } from '../validate/plan/outputs.js';
import type { AttemptFiles, RunFiles } from './ports.js';

export interface Collected {
  readonly result: JobResult;
  /** Present when the attempt completed. Values holding one of the job's secrets are masked. */
  readonly outputs?: Readonly<Record<string, string>>;
  /** Host directory of the kept artifacts, when the job declared some and completed. */
  readonly artifactsDir?: string;
}

export function collectAttempt(
  files: RunFiles,
  runId: string,
  job: PlannedJob,
  attempt: AttemptFiles,
  result: JobResult,
): Collected {
  if (result.status !== 'COMPLETED') return { result };
  const text = files.outputText(attempt);
  if (!text.ok) return { result: failed(result, 'output-too-large', text.problem.message) };
  const secrets = Object.values(job.secretEnvironment);
  const outputs = Object.fromEntries(
    Object.entries(parseOutputFile(text.value)).map(([k, v]) => [k, maskSecrets(v, secrets)]),
  );
  const patterns = job.artifacts ?? [];
  if (patterns.length === 0) return { result, outputs };
  const kept = files.keepArtifacts(attempt, runId, job.name, patterns);
  if (!kept.ok) return { result: failed(result, 'artifact-missing', kept.problem.message) };
  return { result, outputs, artifactsDir: files.artifactsDir(runId, job.name) };
}

/** A completed attempt turned FAILED by what it left. */
function failed(result: JobResult, reason: EndReason, message: string): JobResult {
  return { ...result, status: 'FAILED', reason, message };
}
