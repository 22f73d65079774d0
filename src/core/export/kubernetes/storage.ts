import type { FileMount, FileObjectSpec, ServiceSpec } from '../../../model/project.js';
import { dnsLabel } from '../names.js';
import type { ExportInput, Warnings } from '../types.js';
import { labels, object, type Json, type K8sObject } from './meta.js';

/** Size asked for a named volume: compose has no size; resize the claim with a kustomize patch. */
export const DEFAULT_VOLUME_SIZE = '1Gi';
/** The key holding a secret's or config's content in its Secret / ConfigMap. */
const CONTENT_KEY = 'content';
/** Keys a ConfigMap (and so `envFrom`) accepts. */
const ENV_KEY = /^[-._a-zA-Z0-9]+$/;

/** The variables a service's env ConfigMap holds: set ones with keys a ConfigMap accepts, sorted. */
export function envData(s: ServiceSpec): Record<string, string> {
  const data: Record<string, string> = {};
  for (const k of Object.keys(s.environment).sort()) {
    const v = s.environment[k];
    if (v !== null && v !== undefined && ENV_KEY.test(k)) data[k] = v;
  }
  return data;
}

export const envConfigMapName = (s: ServiceSpec): string => `${dnsLabel(s.name)}-env`;
const secretName = (key: string): string => `secret-${dnsLabel(key)}`;
const configName = (key: string): string => `config-${dnsLabel(key)}`;
const claimName = (key: string): string => dnsLabel(key);

/** Pod volumes and the container's mounts, in the order the file lists them. */
export function podVolumes(
  input: ExportInput,
  s: ServiceSpec,
  w: Warnings,
): { volumes: Json[]; mounts: Json[] } {
  const volumes: Json[] = [];
  const mounts: Json[] = [];
  s.volumes.forEach((v, i) => {
    const name = `vol-${i}`;
    switch (v.type) {
      case 'bind':
        w.add(
          s.name,
          'volumes',
          `bind mount ${v.source} → ${v.target} has no faithful Kubernetes translation (dropped; use a ConfigMap or a volume)`,
        );
        return;
      case 'tmpfs':
        volumes.push({ name, emptyDir: { medium: 'Memory' } });
        break;
      case 'volume': {
        const spec = v.source === undefined ? undefined : input.project.volumes[v.source];
        if (v.source === undefined || !spec) volumes.push({ name, emptyDir: {} });
        else {
          if (s.replicas > 1)
            w.add(
              s.name,
              'volumes',
              `volume ${v.source} is claimed ReadWriteOnce: replicas on different nodes cannot share it`,
            );
          volumes.push({
            name,
            persistentVolumeClaim: { claimName: spec.external ? dnsLabel(spec.name) : claimName(v.source) },
          });
        }
        break;
      }
    }
    mounts.push({ name, mountPath: v.target, ...(v.readOnly ? { readOnly: true } : {}) });
  });
  const files = (kind: 'secret' | 'config', list: readonly FileMount[]) =>
    list.forEach((m, i) => {
      const spec = (kind === 'secret' ? input.project.secrets : input.project.configs)[m.source];
      if (!spec) return;
      const name = `${kind}-${i}`;
      const ref = spec.external
        ? dnsLabel(spec.name)
        : kind === 'secret'
          ? secretName(m.source)
          : configName(m.source);
      const items = [
        { key: CONTENT_KEY, path: CONTENT_KEY, ...(m.mode !== undefined ? { mode: m.mode } : {}) },
      ];
      volumes.push(
        kind === 'secret'
          ? { name, secret: { secretName: ref, items } }
          : { name, configMap: { name: ref, items } },
      );
      mounts.push({ name, mountPath: m.target, subPath: CONTENT_KEY, readOnly: true });
    });
  files('secret', s.secrets);
  files('config', s.configs);
  return { volumes, mounts };
}

/** A PersistentVolumeClaim per named volume the project declares (external ones must exist). */
export function claims(input: ExportInput, w: Warnings): K8sObject[] {
  const out: K8sObject[] = [];
  for (const key of Object.keys(input.project.volumes).sort()) {
    const v = input.project.volumes[key];
    if (!v) continue;
    if (v.external) {
      w.add(
        undefined,
        `volumes.${key}.external`,
        `expects a PersistentVolumeClaim named ${dnsLabel(v.name)} to exist`,
      );
      continue;
    }
    if (v.driver && v.driver !== 'local')
      w.add(
        undefined,
        `volumes.${key}.driver`,
        `volume driver ${v.driver} dropped: the cluster's default StorageClass provisions the claim`,
      );
    out.push(
      object('v1', 'PersistentVolumeClaim', claimName(key), labels(input.project.name, key, 'volume'), {
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: DEFAULT_VOLUME_SIZE } } },
      }),
    );
  }
  return out;
}

function content(
  input: ExportInput,
  kind: string,
  key: string,
  o: FileObjectSpec,
  w: Warnings,
): Uint8Array | undefined {
  if (o.content !== undefined) return new TextEncoder().encode(o.content);
  if (o.environment !== undefined) {
    const v = input.env[o.environment];
    if (v === undefined) {
      w.add(
        undefined,
        `${kind}.${key}.environment`,
        `variable ${o.environment} is not set: the object is empty`,
      );
      return new Uint8Array();
    }
    return new TextEncoder().encode(v);
  }
  if (o.file !== undefined) {
    const bytes = input.files.get(o.file);
    if (bytes === undefined)
      w.add(undefined, `${kind}.${key}.file`, `${o.file} could not be read: the object is empty`);
    return bytes ?? new Uint8Array();
  }
  return undefined;
}

function base64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}

function utf8(b: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return undefined;
  }
}

/** Secrets and ConfigMaps from the project's secrets and configs, and each service's environment. */
export function configObjects(input: ExportInput, w: Warnings): K8sObject[] {
  const { project } = input;
  const out: K8sObject[] = [];
  for (const key of Object.keys(project.secrets).sort()) {
    const o = project.secrets[key];
    if (!o) continue;
    if (o.external) {
      w.add(
        undefined,
        `secrets.${key}.external`,
        `expects a Secret named ${dnsLabel(o.name)} with key "${CONTENT_KEY}"`,
      );
      continue;
    }
    const bytes = content(input, 'secrets', key, o, w) ?? new Uint8Array();
    out.push(
      object('v1', 'Secret', secretName(key), labels(project.name, key, 'secret'), {
        type: 'Opaque',
        data: { [CONTENT_KEY]: base64(bytes) },
      }),
    );
  }
  for (const key of Object.keys(project.configs).sort()) {
    const o = project.configs[key];
    if (!o) continue;
    if (o.external) {
      w.add(
        undefined,
        `configs.${key}.external`,
        `expects a ConfigMap named ${dnsLabel(o.name)} with key "${CONTENT_KEY}"`,
      );
      continue;
    }
    const bytes = content(input, 'configs', key, o, w) ?? new Uint8Array();
    const text = utf8(bytes);
    out.push(
      object('v1', 'ConfigMap', configName(key), labels(project.name, key, 'config'), {
        ...(text !== undefined
          ? { data: { [CONTENT_KEY]: text } }
          : { binaryData: { [CONTENT_KEY]: base64(bytes) } }),
      }),
    );
  }
  for (const name of Object.keys(project.services).sort()) {
    const s = project.services[name];
    if (!s) continue;
    const data = envData(s);
    for (const k of Object.keys(s.environment))
      if (!ENV_KEY.test(k)) w.add(name, `environment.${k}`, 'not a valid ConfigMap key (dropped)');
    if (Object.keys(data).length)
      out.push(
        object('v1', 'ConfigMap', envConfigMapName(s), labels(project.name, name, 'environment'), { data }),
      );
  }
  return out;
}
