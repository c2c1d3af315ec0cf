/** The document writer: Kubernetes objects as one multi-document YAML stream, in a stable order. */
import { stringify } from 'yaml';

/** Any exported object: `apiVersion`, `kind`, `metadata`, and the rest. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
}

export function toYamlStream(documents: readonly KubernetesObject[]): string {
  return documents
    .map((doc) =>
      stringify(doc, {
        aliasDuplicateObjects: false,
        lineWidth: 0,
      }),
    )
    .join('---\n');
}
