/**
 * An independent reading of the Compose Specification (05-services.md, 06/07 networks/volumes,
 * 12-interpolation.md) for the keys orch runs: what `docker compose config` prints for a raw
 * file, written from the spec's wording, not from orch's code. Only the corpus' forms are covered;
 * orch's documented deviations (published ports on 127.0.0.1 unless an address is given) are
 * applied explicitly, so a difference shows up as a test failure, not as a silent copy.
 */
import { isAbsolute, resolve } from 'node:path';

type Json = Record<string, unknown>;
const isMap = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);

/** 12-interpolation.md, the forms the corpus uses: ${VAR}, ${VAR:-d}, ${VAR-d}, $VAR, $$. */
export function interpolateRef(s: string, env: Readonly<Record<string, string>>): string {
  return s.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, braced, op, def, bare) => {
      if (m === '$$') return '$';
      const name = (braced ?? bare) as string;
      const v = env[name];
      if (op === ':-') return v ? v : (def as string);
      if (op === '-') return v ?? (def as string);
      return v ?? '';
    },
  );
}

function deep(x: unknown, env: Readonly<Record<string, string>>): unknown {
  if (typeof x === 'string') return interpolateRef(x, env);
  if (Array.isArray(x)) return x.map((y) => deep(y, env));
  if (isMap(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, deep(v, env)]));
  return x;
}

/** "command: the string form is split like a shell would" (05-services.md#command). */
function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur: string | undefined;
  let quote: string | undefined;
  for (const ch of s) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur = (cur ?? '') + ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur ??= '';
    } else if (/\s/.test(ch)) {
      if (cur !== undefined) out.push(cur);
      cur = undefined;
    } else cur = (cur ?? '') + ch;
  }
  if (cur !== undefined) out.push(cur);
  return out;
}

const str = (v: unknown) => (typeof v === 'string' ? v : String(v));

/** `KEY=VALUE` lists as maps; a bare `KEY` is unset for environment, the empty string for labels. */
function keyValues(v: unknown, bare: string | null = null): Record<string, string | null> {
  if (Array.isArray(v)) {
    return Object.fromEntries(
      v.map(String).map((e) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, bare] : [e.slice(0, i), e.slice(i + 1)];
      }),
    );
  }
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === null ? null : str(x)]));
  return {};
}

/** 05-services.md#ports, short syntax `[HOST:]CONTAINER[/PROTOCOL]` with an optional IP. */
function port(p: unknown): Json {
  if (isMap(p)) return { mode: 'ingress', host_ip: '127.0.0.1', protocol: 'tcp', ...p };
  const s = str(p);
  const [spec = '', protocol = 'tcp'] = s.split('/');
  const parts = spec.split(':');
  const target = Number(parts.at(-1));
  const published = parts.length >= 2 ? parts.at(-2) : undefined;
  const ip = parts.length === 3 ? parts[0] : '127.0.0.1';
  return {
    mode: 'ingress',
    host_ip: ip,
    target,
    ...(published !== undefined && published !== '' ? { published } : {}),
    protocol,
  };
}

/** 05-services.md#volumes: a source that is a path is a bind mount, resolved against the project dir. */
function volume(v: unknown, dir: string): Json {
  if (isMap(v)) {
    const out: Json = { type: v['type'], target: v['target'] };
    if (v['source'] !== undefined)
      out['source'] = v['type'] === 'bind' ? abs(dir, str(v['source'])) : v['source'];
    if (v['read_only']) out['read_only'] = true;
    return out;
  }
  const [source = '', target, mode = ''] = str(v).split(':');
  if (target === undefined) return { type: 'volume', target: source };
  // An empty source (an unset `${VAR}:/x`) leaves an anonymous volume; orch warns about it.
  if (source === '') return { type: 'volume', target };
  const bind = /^[./~]/.test(source);
  return {
    type: bind ? 'bind' : 'volume',
    source: bind ? abs(dir, source) : source,
    target,
    ...(mode.split(',').includes('ro') ? { read_only: true } : {}),
  };
}

const remote = (c: string) => /^(https?|git|ssh):\/\/|^git@|^github\.com\//.test(c);

/** Relative to the project directory; `~` is the user's home (HOME of the environment given). */
let home = '/';
const abs = (dir: string, p: string) =>
  p === '~' || p.startsWith('~/') ? resolve(home, `.${p.slice(1)}`) : isAbsolute(p) ? p : resolve(dir, p);

/** Go's time.Duration String(), the form compose prints: 1m30s, 10s, 500ms. */
function goDuration(s: string): string {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(s);
  if (!m) return s;
  const ms = Number(m[1] ?? 0) * 60_000 + Number(m[2] ?? 0) * 1000 + Number(m[3] ?? 0);
  if (ms < 1000) return `${ms}ms`;
  const min = Math.floor(ms / 60_000);
  const sec = (ms % 60_000) / 1000;
  return `${min ? `${min}m` : ''}${sec || !min ? `${sec}s` : '0s'}`;
}

/** The keys of one service as `docker compose config` prints them, for the keys the service writes. */
export function expectedService(raw: Json, dir: string): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'image':
      case 'container_name':
      case 'hostname':
      case 'user':
      case 'working_dir':
      case 'stop_signal':
      case 'network_mode':
        out[k] = str(v);
        break;
      case 'restart':
        out[k] = str(v);
        break;
      case 'build': {
        const b = isMap(v) ? v : { context: v };
        out[k] = {
          // build.md: a git URL or other remote context is handed to the builder as written.
          context: remote(str(b['context'] ?? '.')) ? str(b['context']) : abs(dir, str(b['context'] ?? '.')),
          dockerfile: str(b['dockerfile'] ?? 'Dockerfile'),
          ...(b['args'] !== undefined ? { args: keyValues(b['args']) } : {}),
          ...(b['target'] !== undefined ? { target: b['target'] } : {}),
        };
        break;
      }
      case 'command':
      case 'entrypoint':
        out[k] = Array.isArray(v) ? v.map(String) : shellWords(str(v));
        break;
      case 'environment':
        out[k] = keyValues(v);
        break;
      case 'labels':
        out[k] = keyValues(v, '');
        break;
      case 'ports':
        out[k] = (v as unknown[]).map(port);
        break;
      case 'expose':
      case 'cap_add':
      case 'cap_drop':
        out[k] = (v as unknown[]).map(String);
        break;
      case 'volumes':
        out[k] = (v as unknown[]).map((x) => volume(x, dir));
        break;
      case 'networks':
        out[k] = Array.isArray(v)
          ? Object.fromEntries(v.map((n) => [str(n), null]))
          : Object.fromEntries(
              Object.entries(v as Json).map(([n, c]) => [
                n,
                isMap(c) && Array.isArray(c['aliases']) ? { aliases: c['aliases'] } : null,
              ]),
            );
        break;
      case 'depends_on':
        out[k] = Array.isArray(v)
          ? Object.fromEntries(v.map((n) => [str(n), { condition: 'service_started', required: true }]))
          : Object.fromEntries(
              Object.entries(v as Json).map(([n, c]) => {
                const d = isMap(c) ? c : {};
                return [
                  n,
                  {
                    condition: d['condition'] ?? 'service_started',
                    ...(d['restart'] === true ? { restart: true } : {}),
                    required: d['required'] ?? true,
                  },
                ];
              }),
            );
        break;
      case 'healthcheck': {
        const h = v as Json;
        const t = h['test'];
        if (h['disable'] === true) {
          out[k] = { disable: true };
          break;
        }
        out[k] = Object.fromEntries(
          Object.entries({
            test: typeof t === 'string' ? ['CMD-SHELL', t] : t,
            interval: h['interval'],
            timeout: h['timeout'],
            retries: h['retries'],
            start_period: h['start_period'],
            start_interval: h['start_interval'],
          })
            .filter(([, x]) => x !== undefined)
            .map(([n, x]) => [n, typeof x === 'string' && n !== 'test' ? goDuration(x) : x]),
        );
        break;
      }
      case 'secrets':
        // 09-secrets.md: the short syntax mounts at /run/secrets/<source>; orch runs source,
        // target and mode (not uid/gid).
        out[k] = (v as unknown[]).map((s) => {
          const spec = isMap(s) ? s : { source: str(s) };
          const t = spec['target'] === undefined ? str(spec['source']) : str(spec['target']);
          return {
            source: spec['source'],
            target: t.startsWith('/') ? t : `/run/secrets/${t}`,
            ...(spec['mode'] !== undefined ? { mode: spec['mode'] } : {}),
          };
        });
        break;
      default:
        break; // keys orch does not run (it warns about them)
    }
  }
  if (raw['networks'] === undefined && raw['network_mode'] === undefined) out['networks'] = { default: null };
  return out;
}

/** `docker compose config` for the parts orch runs, from the raw file text's parsed value. */
export function expectedConfig(
  rawFile: Json,
  dir: string,
  project: string,
  env: Readonly<Record<string, string>> = {},
): Json {
  const raw = deep(rawFile, env) as Json;
  home = env['HOME'] ?? '/';
  // Services behind a profile are not enabled by default; `extends` is covered by its own tests.
  const services = Object.fromEntries(
    Object.entries(isMap(raw['services']) ? raw['services'] : {}).filter(
      ([, s]) => isMap(s) && s['profiles'] === undefined && s['extends'] === undefined,
    ),
  );
  const named = (section: string) =>
    Object.fromEntries(
      Object.entries(isMap(raw[section]) ? raw[section] : {}).map(([k, c]) => {
        const spec = isMap(c) ? c : {};
        const ext = spec['external'];
        // `external: {name}` is the older spelling of `external: true` plus `name:`.
        const external = ext === true || isMap(ext);
        const name =
          spec['name'] ?? (isMap(ext) ? ext['name'] : undefined) ?? (external ? k : `${project}_${k}`);
        return [k, { name, ...(external ? { external: true } : {}) }];
      }),
    );
  const networks = named('networks');
  const usesDefault = Object.values(services).some(
    (s) => isMap(s) && s['networks'] === undefined && s['network_mode'] === undefined,
  );
  if (usesDefault && !('default' in networks)) networks['default'] = { name: `${project}_default` };
  return {
    services: Object.fromEntries(
      Object.entries(services).map(([n, s]) => [n, expectedService(s as Json, dir)]),
    ),
    networks,
    volumes: named('volumes'),
  };
}
