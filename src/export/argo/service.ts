/**
 * How a job is ready, who it runs as and how it stops (`ready`, `user`, `stop_signal`,
 * `stop_grace`), in Kubernetes terms:
 *
 * - `ready`: the same check as a `startupProbe` (which fails the container after the ready timeout,
 *   as rnx ends the job FAILED, not-ready) and a `readinessProbe` (Argo counts a daemon Daemoned,
 *   and starts its RUNNING dependents, only once it is ready). exec, tcp and http checks carry
 *   over; the kubelet probes tcp and http at the pod's address, not 127.0.0.1. A `log` pattern has
 *   no Kubernetes form and is reported.
 * - `user`: a numeric UID[:GID] as `securityContext`; a name is reported (Kubernetes needs numbers).
 * - `capabilities`: `securityContext.capabilities` (both start from the same default set, Docker's
 *   and containerd's); rnx's drops win over its adds, so what is also dropped is not added.
 * - `stop_signal`: the container's `lifecycle.stopSignal` (Kubernetes 1.33+, alpha), reported.
 * - `stop_grace`: the pod's `terminationGracePeriodSeconds`.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { PlannedJob, Probe } from '../../validate/model.js';
import type { Report } from './report.js';

/**
 * What this module reads of a planned job. `capabilities` is the start work's field, described
 * here until it is in the model (it is optional, so the model's jobs fit either way).
 */
export type ServiceSettings = Pick<
  PlannedJob,
  'name' | 'ready' | 'user' | 'stopSignal' | 'stopGraceMs'
> & {
  readonly capabilities?: { readonly add: readonly string[]; readonly drop: readonly string[] };
};

export interface ServiceSpec {
  /** Fields of the container. */
  readonly container: Pick<
    IContainer,
    'startupProbe' | 'readinessProbe' | 'lifecycle' | 'securityContext'
  >;
  /** Fields of the pod spec (through the template's podSpecPatch). */
  readonly pod: { terminationGracePeriodSeconds?: number; os?: { name: 'linux' } };
}

type Handler = Pick<IProbe, 'exec' | 'tcpSocket' | 'httpGet'>;
type StopSignal = NonNullable<NonNullable<IContainer['lifecycle']>['stopSignal']>;

/** The probe's check in Kubernetes terms, or undefined when it has none. */
export function probeHandler(probe: Probe): Handler | undefined {
  switch (probe.kind) {
    case 'exec':
      return { exec: { command: [...probe.command] } };
    case 'tcp':
      return { tcpSocket: { port: probe.port } };
    case 'http': {
      if (probe.target.startsWith('/')) return { httpGet: { path: probe.target, port: 80 } };
      const url = new URL(probe.target);
      const local = ['127.0.0.1', 'localhost', '[::1]', ''].includes(url.hostname);
      return {
        httpGet: {
          path: `${url.pathname}${url.search}`,
          port: url.port === '' ? 80 : Number(url.port),
          ...(local ? {} : { host: url.hostname }),
        },
      };
    }
    case 'log':
      return undefined;
  }
}

export function serviceSpec(job: ServiceSettings, report: Report): ServiceSpec {
  const container: ServiceSpec['container'] = {};
  const pod: ServiceSpec['pod'] = {};
  if (job.ready !== undefined) {
    const handler = probeHandler(job.ready.probe);
    if (handler === undefined) {
      report.warning(
        report.job(job.name, 'ready'),
        'argo-ready-log',
        `ready of job '${job.name}' watches its output, which Kubernetes cannot probe: on Argo the job counts as ready as soon as it runs`,
        'use an exec, tcp or http check to keep its dependents waiting until it is ready',
      );
    } else {
      const period = Math.max(1, Math.ceil(job.ready.intervalMs / 1000));
      container.startupProbe = {
        ...handler,
        periodSeconds: period,
        failureThreshold: Math.max(1, Math.ceil(job.ready.timeoutMs / (period * 1000))),
      };
      container.readinessProbe = { ...handler, periodSeconds: period };
      if (job.ready.probe.kind === 'tcp' || job.ready.probe.kind === 'http') {
        report.warning(
          report.job(job.name, 'ready'),
          'argo-ready-address',
          `ready of job '${job.name}' is checked by the kubelet at the pod's address, not at 127.0.0.1 inside the job: a server listening on loopback only never becomes ready`,
        );
      }
    }
  }
  const context: ISecurityContext = {};
  if (job.user !== undefined) {
    const m = /^(\d+)(?::(\d+))?$/.exec(job.user);
    if (m === null) {
      report.warning(
        report.job(job.name, 'user'),
        'argo-user-name',
        `user '${job.user}' of job '${job.name}' is a name: Kubernetes runs containers as a numeric user, so the job runs as the image's user`,
        'give the user as UID or UID:GID',
      );
    } else {
      context.runAsUser = Number(m[1]);
      if (m[2] !== undefined) context.runAsGroup = Number(m[2]);
    }
  }
  if (job.capabilities !== undefined) context.capabilities = capabilitiesOf(job.capabilities);
  if (Object.keys(context).length > 0) container.securityContext = context;
  if (job.stopSignal !== undefined && job.stopSignal !== 'SIGTERM') {
    container.lifecycle = { stopSignal: job.stopSignal as StopSignal };
    pod.os = { name: 'linux' };
    report.warning(
      report.job(job.name, 'stop_signal'),
      'argo-stop-signal',
      `stop_signal ${job.stopSignal} of job '${job.name}' is the container's lifecycle.stopSignal, which needs Kubernetes 1.33+ with the ContainerStopSignals feature gate; elsewhere the job is stopped with SIGTERM`,
    );
  }
  if (job.stopGraceMs !== undefined) {
    pod.terminationGracePeriodSeconds = Math.ceil(job.stopGraceMs / 1000);
  }
  return { container, pod };
}

/** `CAP_NET_ADMIN` or `net_admin` -> `NET_ADMIN`; what is dropped is never added (rnx's rule). */
function capabilitiesOf(caps: {
  readonly add: readonly string[];
  readonly drop: readonly string[];
}): NonNullable<ISecurityContext['capabilities']> {
  const name = (c: string): string => c.toUpperCase().replace(/^CAP_/, '');
  const drop = [...new Set(caps.drop.map(name))];
  const add = [...new Set(caps.add.map(name))].filter(
    (c) => !drop.includes(c) && !drop.includes('ALL'),
  );
  return { ...(add.length === 0 ? {} : { add }), ...(drop.length === 0 ? {} : { drop }) };
}
