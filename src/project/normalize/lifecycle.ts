import type {
  Dependency,
  DependencyCondition,
  DeployRestartPolicy,
  Healthcheck,
  RestartPolicy,
} from '../../model/project.js';
import type { KeyPath } from '../positions.js';
import { isRecord, toBool, toDuration, toInt, toStr, type Ctx } from './values.js';

export function parseHealthcheck(ctx: Ctx, path: KeyPath, v: unknown): Healthcheck | undefined {
  if (!isRecord(v)) return undefined;
  const rawTest = v['test'];
  const test =
    typeof rawTest === 'string' ? ['CMD-SHELL', rawTest] : Array.isArray(rawTest) ? rawTest.map(String) : [];
  if (test.length > 0 && !['CMD', 'CMD-SHELL', 'NONE'].includes(test[0] ?? '')) {
    ctx.r.error(
      [...path, 'test'],
      `healthcheck test must start with CMD, CMD-SHELL or NONE (got \`${test[0]}\`)`,
    );
  }
  const disable = (toBool(ctx, [...path, 'disable'], v['disable']) ?? false) || test[0] === 'NONE';
  const out: { -readonly [K in keyof Healthcheck]: Healthcheck[K] } = { test, disable };
  const set = (key: 'intervalMs' | 'timeoutMs' | 'startPeriodMs' | 'startIntervalMs', yamlKey: string) => {
    const ms = toDuration(ctx, [...path, yamlKey], v[yamlKey]);
    if (ms !== undefined) out[key] = ms;
  };
  set('intervalMs', 'interval');
  set('timeoutMs', 'timeout');
  set('startPeriodMs', 'start_period');
  set('startIntervalMs', 'start_interval');
  const retries = toInt(ctx, [...path, 'retries'], v['retries']);
  if (retries !== undefined) out.retries = retries;
  return out;
}

export function parseRestart(ctx: Ctx, path: KeyPath, v: unknown): RestartPolicy {
  const s = toStr(v);
  if (s === undefined || s === 'no' || s === '') return { kind: 'no' };
  if (s === 'always' || s === 'unless-stopped') return { kind: s };
  const m = /^on-failure(?::(\d+))?$/.exec(s);
  if (m)
    return m[1] === undefined ? { kind: 'on-failure' } : { kind: 'on-failure', maxRetries: Number(m[1]) };
  ctx.r.error(path, `unknown restart policy \`${s}\``, 'use no, always, on-failure[:N] or unless-stopped');
  return { kind: 'no' };
}

export function parseDeployRestart(ctx: Ctx, path: KeyPath, v: unknown): DeployRestartPolicy | undefined {
  if (!isRecord(v)) return undefined;
  const condition = toStr(v['condition']) ?? 'any';
  if (condition !== 'none' && condition !== 'on-failure' && condition !== 'any') {
    ctx.r.error(
      [...path, 'condition'],
      `unknown restart condition \`${condition}\` (none, on-failure or any)`,
    );
    return undefined;
  }
  const out: { -readonly [K in keyof DeployRestartPolicy]: DeployRestartPolicy[K] } = { condition };
  const delay = toDuration(ctx, [...path, 'delay'], v['delay']);
  if (delay !== undefined) out.delayMs = delay;
  const window = toDuration(ctx, [...path, 'window'], v['window']);
  if (window !== undefined) out.windowMs = window;
  const max = toInt(ctx, [...path, 'max_attempts'], v['max_attempts']);
  if (max !== undefined) out.maxAttempts = max;
  return out;
}

/** `deploy.replicas` and `scale` mean the same; compose refuses two different values. */
export function parseReplicas(ctx: Ctx, path: KeyPath, svc: Record<string, unknown>): number {
  const deploy = isRecord(svc['deploy']) ? svc['deploy'] : {};
  const fromDeploy = toInt(ctx, [...path, 'deploy', 'replicas'], deploy['replicas']);
  const fromScale = toInt(ctx, [...path, 'scale'], svc['scale']);
  if (fromDeploy !== undefined && fromScale !== undefined && fromDeploy !== fromScale) {
    ctx.r.error(
      [...path, 'scale'],
      `\`scale: ${fromScale}\` disagrees with \`deploy.replicas: ${fromDeploy}\``,
    );
  }
  return fromDeploy ?? fromScale ?? 1;
}

export interface DependencyEntry {
  readonly name: string;
  readonly dep: Dependency;
  readonly path: KeyPath;
  /** Set when the dependency is implied rather than listed (`network_mode: service:NAME`). */
  readonly via?: string;
}

export function parseDependsOn(ctx: Ctx, path: KeyPath, v: unknown): DependencyEntry[] {
  const plain: Dependency = { condition: 'service_started', restart: false, required: true };
  if (Array.isArray(v)) return v.map((name, i) => ({ name: String(name), dep: plain, path: [...path, i] }));
  if (!isRecord(v)) return [];
  return Object.entries(v).map(([name, spec]) => {
    const at = [...path, name];
    if (!isRecord(spec)) return { name, dep: plain, path: at };
    const condition = (toStr(spec['condition']) ?? 'service_started') as DependencyCondition;
    return {
      name,
      path: at,
      dep: {
        condition,
        restart: toBool(ctx, [...at, 'restart'], spec['restart']) ?? false,
        required: toBool(ctx, [...at, 'required'], spec['required']) ?? true,
      },
    };
  });
}
