/**
 * A job's uploads as one ConfigMap, mounted file by file into /work (the job's workspace, an
 * emptyDir, as writable as rnx's) at /work/<base name>, as rnx copies them. Text files go into
 * `data`, others into `binaryData`; each keeps its permission bits. A ConfigMap holds at most
 * 1 MiB, so a bigger file, or a job's uploads that add up to more, are errors with the reason.
 */
import { basename } from 'node:path';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IKeyToPath } from 'kubernetes-models/v1/KeyToPath';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { PlannedJob } from '../../validate/model.js';
import { dnsLabel, LABELS, MANAGER } from './names.js';
import type { UploadTree } from './read-uploads.js';
import type { Report } from './report.js';

/** What the Kubernetes API server accepts in one ConfigMap. */
export const CONFIGMAP_LIMIT = 1024 * 1024;

export const UPLOADS_VOLUME = 'uploads';

export interface JobUploads {
  readonly configMap: IConfigMap;
  readonly volume: IVolume;
  readonly mounts: readonly IVolumeMount[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function uploadsConfigMapName(workflow: string, job: string): string {
  return dnsLabel(`${workflow}-${job}-uploads`, 253);
}

/** The ConfigMap, its volume and its mounts; undefined when the job uploads nothing usable. */
export function jobUploads(
  job: PlannedJob,
  workflow: string,
  trees: ReadonlyMap<string, UploadTree>,
  namespace: string | undefined,
  report: Report,
): JobUploads | undefined {
  const entries = [
    ...job.uploads.files.map((source, index) => ({ source, path: ['files', index] as const })),
    ...job.uploads.directories.map((source, index) => ({
      source,
      path: ['directories', index] as const,
    })),
  ];
  if (entries.length === 0) return undefined;
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const items: IKeyToPath[] = [];
  const mounts: IVolumeMount[] = [];
  const bases = new Map<string, string>();
  let size = 0;
  let tooBig = false;
  for (const { source, path } of entries) {
    const at = report.job(job.name, 'uploads', ...path);
    const tree = trees.get(source);
    if (tree === undefined) continue;
    const base = basename(source);
    const earlier = bases.get(base);
    if (earlier !== undefined) {
      report.warning(
        at,
        'argo-upload-replaced',
        `upload '${base}' of job '${job.name}' lands at /work/${base}, as ${earlier} did: on Argo only this one is mounted there`,
      );
      for (let i = items.length - 1; i >= 0; i--)
        if (items[i]?.path === base || items[i]?.path.startsWith(`${base}/`)) items.splice(i, 1);
      const mounted = mounts.findIndex((m) => m.subPath === base);
      if (mounted !== -1) mounts.splice(mounted, 1);
    }
    bases.set(base, source);
    for (const file of tree.files) {
      const where = file.rel === '' ? base : `${base}/${file.rel}`;
      if (file.bytes.length > CONFIGMAP_LIMIT) {
        tooBig = true;
        report.error(
          at,
          'argo-upload-too-large',
          `upload '${where}' of job '${job.name}' is ${file.bytes.length} bytes: a ConfigMap holds at most 1 MiB (${CONFIGMAP_LIMIT} bytes)`,
          'put large inputs in a volume (a PersistentVolumeClaim) or an Argo artifact, and upload only small files',
        );
        continue;
      }
      const key = `f${items.length}`;
      const text = asText(file.bytes);
      if (text === undefined) {
        binaryData[key] = file.bytes.toString('base64');
        size += binaryData[key].length;
      } else {
        data[key] = text;
        size += file.bytes.length;
      }
      items.push({ key, path: where, mode: file.mode });
      if (file.symlink) {
        report.warning(
          at,
          'argo-upload-symlink',
          `upload '${where}' of job '${job.name}' is a symlink: on Argo it is a copy of what it points to`,
        );
      }
    }
    for (const dir of tree.emptyDirectories) {
      report.warning(
        at,
        'argo-upload-empty-directory',
        `upload '${dir === '' ? base : `${base}/${dir}`}' of job '${job.name}' is an empty directory: a ConfigMap holds files only, so it is not created on Argo`,
      );
    }
    for (const other of tree.others) {
      report.warning(
        at,
        'argo-upload-not-file',
        `upload '${base}/${other}' of job '${job.name}' is neither a file nor a directory (or a link back up its tree): it is not carried to Argo`,
      );
    }
    if (tree.files.length > 0) {
      mounts.push({
        name: UPLOADS_VOLUME,
        mountPath: `/work/${base}`,
        subPath: base,
        readOnly: true,
      });
    }
  }
  if (!tooBig && size > CONFIGMAP_LIMIT) {
    report.error(
      report.job(job.name, 'uploads'),
      'argo-uploads-too-large',
      `the uploads of job '${job.name}' add up to ${size} bytes: their ConfigMap may hold at most 1 MiB (${CONFIGMAP_LIMIT} bytes)`,
      'put large inputs in a volume (a PersistentVolumeClaim) or an Argo artifact, and upload only small files',
    );
    return undefined;
  }
  if (tooBig || items.length === 0) return undefined;
  report.warning(
    report.job(job.name, 'uploads'),
    'argo-uploads-read-only',
    `the uploads of job '${job.name}' are mounted read-only from a ConfigMap (rnx copies them, writable, into /work)`,
    'a job that changes an uploaded file should copy it first',
  );
  const name = uploadsConfigMapName(workflow, job.name);
  return {
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        ...(namespace === undefined ? {} : { namespace }),
        labels: { [LABELS.managedBy]: MANAGER, [LABELS.job]: job.name },
      },
      ...(Object.keys(data).length === 0 ? {} : { data }),
      ...(Object.keys(binaryData).length === 0 ? {} : { binaryData }),
    },
    volume: { name: UPLOADS_VOLUME, configMap: { name, items } },
    mounts,
  };
}
