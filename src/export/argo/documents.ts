/**
 * The document writer: Kubernetes objects as one multi-document YAML stream, in a stable order.
 *
 * A Workflow of tens of thousands of jobs is one object with one template and one DAG task per
 * job; `yaml.stringify` of it builds a node tree for the whole document before writing a byte. So
 * each object is written in pieces, as the same library writes them nested: an object whose last
 * entry is a non-empty list or an object is written without it, then that entry's key, then the
 * entry itself (a list item by item, each as a one-item list, indented). The text is the same as
 * one `stringify` of the whole (YAML block style: a nested block is its text indented), and what
 * is alive at a time is one template's nodes, not the document's.
 */
import { stringify } from 'yaml';

/** Any exported object: `apiVersion`, `kind`, `metadata`, and the rest. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
}

const OPTIONS = { aliasDuplicateObjects: false, lineWidth: 0 } as const;

/** A key written as is in block style (the keys of Kubernetes objects): split only at those. */
const PLAIN_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

export function toYamlStream(documents: readonly KubernetesObject[]): string {
  const pieces: string[] = [];
  documents.forEach((doc, i) => {
    if (i > 0) pieces.push('---\n');
    writeMapping(doc as unknown as Record<string, unknown>, '', pieces);
  });
  return pieces.join('');
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Lists this long are written item by item (a Workflow's templates, its DAG's tasks). */
export const PIECE_ITEMS = 64;

/**
 * A nested block worth writing in pieces: a long list, or a mapping (of 2+ entries) whose last
 * entry is one, at any depth. Anything smaller is written whole, in one `stringify`.
 */
function splittable(value: unknown): boolean {
  if (Array.isArray(value)) return value.length >= PIECE_ITEMS;
  if (!isMapping(value)) return false;
  const keys = definedKeys(value);
  const last = keys[keys.length - 1];
  return keys.length > 1 && last !== undefined && PLAIN_KEY.test(last) && splittable(value[last]);
}

/** Keys `stringify` writes (it leaves out entries whose value is undefined). */
function definedKeys(value: Mapping): string[] {
  return Object.keys(value).filter((k) => value[k] !== undefined);
}

function indented(text: string, indent: string): string {
  if (indent === '') return text;
  return text.replace(/^(?=.)/gm, indent);
}

/** A mapping at `indent`: its head written whole, its last entry in pieces when it is large. */
function writeMapping(value: Mapping, indent: string, out: string[]): void {
  if (!splittable(value)) {
    out.push(indented(stringify(value, OPTIONS), indent));
    return;
  }
  const [head, last, tail] = splitLast(value);
  out.push(indented(stringify(head, OPTIONS), indent), `${indent}${last}:\n`);
  writeBlock(tail, `${indent}  `, out);
}

/** A list's items at `indent`, one by one. */
function writeBlock(value: unknown, indent: string, out: string[]): void {
  if (!Array.isArray(value)) {
    writeMapping(value as Mapping, indent, out);
    return;
  }
  for (const item of value) writeItem(item, indent, out);
}

/** One list item: `- ` and its first entries, its large last entry in pieces under it. */
function writeItem(item: unknown, indent: string, out: string[]): void {
  if (!splittable(item)) {
    out.push(indented(stringify([item], OPTIONS), indent));
    return;
  }
  const [head, last, tail] = splitLast(item as Mapping);
  out.push(indented(stringify([head], OPTIONS), indent), `${indent}  ${last}:\n`);
  writeBlock(tail, `${indent}    `, out);
}

/** A splittable mapping as its other entries, its last key, and that key's value. */
function splitLast(value: Mapping): [Mapping, string, unknown] {
  const keys = definedKeys(value);
  const last = keys[keys.length - 1] as string;
  const head: Mapping = {};
  for (const k of keys.slice(0, -1)) head[k] = value[k];
  return [head, last, value[last]];
}
