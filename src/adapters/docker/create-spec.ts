import type Docker from 'dockerode';
import type { ContainerCreateSpec, DockerHealthcheck, MountSpec, PortBinding } from '../../core/ports.js';

const NS_PER_MS = 1_000_000;

/** Docker wants durations in nanoseconds; 0 means "the engine's default". */
export function toEngineHealthcheck(hc: DockerHealthcheck): Docker.HealthConfig {
  if (hc.test[0] === 'NONE') return { Test: ['NONE'] };
  const ns = (ms: number | undefined): number | undefined =>
    ms === undefined ? undefined : Math.round(ms * NS_PER_MS);
  const out: Docker.HealthConfig = { Test: [...hc.test] };
  const interval = ns(hc.intervalMs);
  const timeout = ns(hc.timeoutMs);
  const startPeriod = ns(hc.startPeriodMs);
  const startInterval = ns(hc.startIntervalMs);
  if (interval !== undefined) out.Interval = interval;
  if (timeout !== undefined) out.Timeout = timeout;
  if (hc.retries !== undefined) out.Retries = hc.retries;
  if (startPeriod !== undefined) out.StartPeriod = startPeriod;
  // Engines before API 1.44 ignore StartInterval; it is harmless to send.
  if (startInterval !== undefined) out.StartInterval = startInterval;
  return out;
}

export function toPortBindings(
  bindings: readonly PortBinding[],
): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const b of bindings) {
    const key = `${b.containerPort}/${b.protocol}`;
    (out[key] ??= []).push({ HostIp: b.hostIp, HostPort: b.hostPort });
  }
  return out;
}

export function toMount(m: MountSpec): Docker.MountSettings {
  switch (m.type) {
    case 'bind':
      return { Type: 'bind', Source: m.source, Target: m.target, ReadOnly: m.readOnly };
    case 'volume':
      // No source: an anonymous volume, which the engine names itself.
      return { Type: 'volume', Source: m.source ?? '', Target: m.target, ReadOnly: m.readOnly };
    case 'tmpfs':
      return { Type: 'tmpfs', Source: '', Target: m.target };
  }
}

/**
 * The create call for `spec`. Extra networks and `files` are not part of it: the adapter connects
 * and copies those after the container exists and before it starts.
 */
export function toCreateOptions(spec: ContainerCreateSpec): Docker.ContainerCreateOptions {
  const exposed: Record<string, Record<string, never>> = {};
  for (const p of spec.exposedPorts) exposed[p.includes('/') ? p : `${p}/tcp`] = {};
  // Published ports must be exposed too, or older engines do not publish them.
  for (const b of spec.portBindings) exposed[`${b.containerPort}/${b.protocol}`] = {};

  const opts: Docker.ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Labels: { ...spec.labels },
    Env: [...spec.env],
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: toPortBindings(spec.portBindings),
      Mounts: spec.mounts.map(toMount),
      CapAdd: [...spec.capAdd],
      CapDrop: [...spec.capDrop],
      ...(spec.extraHosts?.length ? { ExtraHosts: [...spec.extraHosts] } : {}),
      // orch's supervisor restarts containers itself; the engine must not race it.
      RestartPolicy: { Name: 'no' },
      NetworkMode: spec.networkMode ?? spec.network?.name ?? 'none',
      ...(spec.init === undefined ? {} : { Init: spec.init }),
      ...(spec.resources?.nanoCpus === undefined ? {} : { NanoCpus: spec.resources.nanoCpus }),
      ...(spec.resources?.memoryBytes === undefined ? {} : { Memory: spec.resources.memoryBytes }),
      ...(spec.resources?.memoryReservationBytes === undefined
        ? {}
        : { MemoryReservation: spec.resources.memoryReservationBytes }),
      ...(spec.resources?.pidsLimit === undefined ? {} : { PidsLimit: spec.resources.pidsLimit }),
    },
    NetworkingConfig: {
      EndpointsConfig: spec.network ? { [spec.network.name]: { Aliases: [...spec.network.aliases] } } : {},
    },
  };
  if (spec.cmd !== undefined) opts.Cmd = [...spec.cmd];
  if (spec.entrypoint !== undefined) opts.Entrypoint = [...spec.entrypoint];
  if (spec.user !== undefined) opts.User = spec.user;
  if (spec.workingDir !== undefined) opts.WorkingDir = spec.workingDir;
  if (spec.hostname !== undefined) opts.Hostname = spec.hostname;
  if (spec.stopSignal !== undefined) opts.StopSignal = spec.stopSignal;
  if (spec.stopTimeoutS !== undefined) opts.StopTimeout = spec.stopTimeoutS;
  if (spec.healthcheck !== undefined) opts.Healthcheck = toEngineHealthcheck(spec.healthcheck);
  return opts;
}
