import { accessSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readSocket } from './socket-reader.js';
import { HEADER_END, getOnce, statusOf, type SocketTarget } from '../socket-get.js';

/**
 * A small client for the engine's read-only calls on the paths `orch logs` and `orch ps` take
 * (version, list, inspect, logs), so those commands need not load dockerode (0.15–0.25 s of
 * start-up here: it pulls in ssh2). Only for a plain endpoint, a unix socket or unencrypted tcp;
 * TLS, ssh and named pipes stay with dockerode.
 */

export type EngineAddress =
  { readonly socketPath: string } | { readonly host: string; readonly port: number };

/** The dockerode options orch may pass (the rest make the endpoint one this client does not do). */
export interface EngineOptions {
  readonly socketPath?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: number | string | undefined;
  readonly protocol?: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** docker-modem's default: Docker Desktop's per-user socket when present, else the system one. */
function defaultSocket(home: string): string {
  const user = join(home, '.docker', 'run', 'docker.sock');
  try {
    accessSync(user);
    return user;
  } catch {
    return '/var/run/docker.sock';
  }
}

const PLAIN_KEYS = new Set(['socketPath', 'host', 'port', 'protocol']);

/**
 * Where dockerode would connect, as docker-modem reads `options` and DOCKER_HOST, when that is a
 * unix socket or plain http; undefined when it is anything else (TLS, ssh, npipe, a path prefix).
 */
export function plainEngineAddress(
  options: EngineOptions | undefined,
  env: Env,
  home: () => string = homedir,
): EngineAddress | undefined {
  if (options && Object.keys(options).some((k) => !PLAIN_KEYS.has(k))) return undefined; // version, TLS files…
  const fromEnv = envAddress(env, home);
  if (fromEnv === 'other') return undefined;
  // docker-modem lays the options over what DOCKER_HOST says; a host wins over a socket path.
  const host = options?.host ?? (fromEnv && 'host' in fromEnv ? fromEnv.host : undefined);
  if (host !== undefined) {
    const protocol = options?.protocol ?? 'http';
    const port = Number(options?.port ?? (fromEnv && 'port' in fromEnv ? fromEnv.port : NaN));
    return protocol === 'http' && Number.isInteger(port) && port > 0 ? { host, port } : undefined;
  }
  const socketPath =
    options?.socketPath ?? (fromEnv && 'socketPath' in fromEnv ? fromEnv.socketPath : undefined);
  return { socketPath: socketPath ?? defaultSocket(home()) };
}

function envAddress(env: Env, home: () => string): EngineAddress | 'other' | undefined {
  const dockerHost = env['DOCKER_HOST'];
  if (!dockerHost) return undefined;
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice(7) || defaultSocket(home()) };
  if (dockerHost.startsWith('npipe://')) return 'other';
  let url: URL;
  try {
    url = new URL(dockerHost.includes('//') ? dockerHost : `tcp://${dockerHost}`);
  } catch {
    return 'other';
  }
  const tls = env['DOCKER_TLS_VERIFY'] === '1' || url.port === '2376';
  const prefixed = env['DOCKER_PATH_PREFIX'] !== undefined && env['DOCKER_PATH_PREFIX'] !== '/';
  if (tls || prefixed || (url.protocol !== 'tcp:' && url.protocol !== 'http:')) return 'other';
  const port = Number(url.port);
  return Number.isInteger(port) && port > 0 ? { host: url.hostname, port } : 'other';
}

export function describeAddress(address: EngineAddress): string {
  return 'socketPath' in address ? address.socketPath : `http://${address.host}:${address.port}`;
}

/** An engine answer other than 2xx, shaped as docker-modem's errors are (see engine-errors.ts). */
export class EngineHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly json: unknown,
  ) {
    const detail =
      json && typeof json === 'object' && 'message' in json && typeof json.message === 'string'
        ? json.message
        : String(json);
    super(`(HTTP code ${statusCode}) unexpected - ${detail} `);
    this.name = 'EngineHttpError';
  }
}

export type Query = Readonly<Record<string, string | number | boolean | object | undefined>>;

/** As docker-modem encodes them: objects (e.g. `filters`) as JSON, undefined left out. */
export function pathWithQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    params.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const MAX_HEADER_BYTES = 64 * 1024;

function requestFor(path: string, query: Query | undefined): string {
  return `GET ${pathWithQuery(path, query)} HTTP/1.0\r\nHost: docker\r\nUser-Agent: orch\r\n\r\n`;
}

const target = (address: EngineAddress): SocketTarget =>
  'socketPath' in address ? { path: address.socketPath } : address;

/** `GET path` answered with JSON; a non-2xx answer rejects with an EngineHttpError. */
export async function getJson<T>(address: EngineAddress, path: string, query?: Query): Promise<T> {
  const { status, body } = await getOnce(target(address), pathWithQuery(path, query));
  const json = parseJson(body);
  if (status >= 200 && status < 300) return json as T;
  throw new EngineHttpError(status, json);
}

/**
 * The body of `GET path` as it arrives, until the engine ends it or `signal` aborts. Asked as
 * HTTP/1.0 on its own connection: the engine then streams the body as is and closes, instead of
 * sending each log line as its own HTTP chunk (200,000 lines would be 200,000 chunks for Node's
 * parser and as many Buffers). A non-200 answer throws an EngineHttpError with the engine's message.
 */
export async function* getStream(
  address: EngineAddress,
  path: string,
  query: Query,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let head: Buffer | undefined = Buffer.alloc(0);
  let status = 0;
  const errorBody: Buffer[] = [];
  for await (const chunk of readSocket(target(address), requestFor(path, query), signal)) {
    if (head === undefined) {
      if (status === 200) yield chunk;
      else errorBody.push(chunk);
      continue;
    }
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const end = head.indexOf(HEADER_END);
    if (end === -1) {
      if (head.length > MAX_HEADER_BYTES)
        throw new Error(`engine answered GET ${path} with no end of headers`);
      continue;
    }
    status = statusOf(head.toString('latin1', 0, end));
    const rest = head.subarray(end + HEADER_END.length);
    head = undefined;
    if (status === 200) {
      if (rest.length > 0) yield rest;
    } else errorBody.push(rest);
  }
  if (signal?.aborted) return;
  if (head !== undefined) throw new Error(`engine closed GET ${path} before answering`);
  if (status !== 200) throw new EngineHttpError(status, parseJson(Buffer.concat(errorBody).toString('utf8')));
}
