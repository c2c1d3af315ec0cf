/**
 * Kubernetes and Argo names for what rnx calls jobs, workflows, networks and volumes. rnx's own
 * names are already close (lowercase letters, digits, `-`); where one is not a valid Kubernetes
 * name it is lowered, cleaned and given a short hash, so two different rnx names never meet.
 */
import { createHash } from 'node:crypto';

/** Labels every exported object or pod carries. */
export const LABELS = {
  workflow: 'rnx/workflow',
  job: 'rnx/job',
  network: 'rnx/network',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** The value of `app.kubernetes.io/managed-by` on the objects the Workflow needs. */
export const MANAGER = 'rnx';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

/**
 * A DNS-1123 label of at most `max` characters: `text` itself when it already is one, otherwise
 * lowercased, with every other character turned into `-`, trimmed, plus `-` and 6 hex digits of
 * the original's SHA-256.
 */
export function dnsLabel(text: string, max = 63): string {
  if (text.length <= max && DNS_LABEL.test(text)) return text;
  const suffix = `-${shortHash(text)}`;
  const cleaned = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, max - suffix.length)
    .replace(/^-+|-+$/g, '');
  return `${cleaned === '' ? 'rnx' : cleaned}${suffix}`;
}

/**
 * Words Argo's `depends` expressions (expr-lang) read as operators or constants (job names are
 * lowercase, so `startsWith` and `endsWith` cannot occur): a task with such a name would break the
 * expression, as would a name starting with a digit.
 */
const EXPR_WORDS = new Set([
  'not',
  'in',
  'or',
  'and',
  'matches',
  'contains',
  'let',
  'if',
  'else',
  'true',
  'false',
  'nil',
]);

/** The DAG task of a job: the job's own name, unless `depends` could not name it. */
export function taskName(job: string): string {
  return /^[0-9]/.test(job) || EXPR_WORDS.has(job) ? `job-${job}` : job;
}

/** The container template of a job (the `job-` prefix keeps it apart from the DAG template). */
export function templateName(job: string): string {
  return `job-${job}`;
}

/** The one DAG template, the Workflow's entrypoint. */
export const DAG_TEMPLATE = 'dag';

/** The Workflow's `generateName` (Kubernetes adds 5 characters; the name may have 63). */
export function generateName(workflow: string): string {
  return `${dnsLabel(workflow, 57)}-`;
}

/** A label value (at most 63 characters of `[A-Za-z0-9._-]`, alphanumeric at both ends). */
export function labelValue(text: string): string {
  if (text.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(text)) return text;
  return dnsLabel(text);
}
