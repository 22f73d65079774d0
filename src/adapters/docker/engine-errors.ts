import { OrchError } from '../../errors/index.js';

/** What dockerode / docker-modem put on the errors they raise. */
interface EngineErrorShape {
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly json?: unknown;
  readonly reason?: unknown;
  readonly message?: unknown;
}

const UNREACHABLE_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'EPERM',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
]);

export function statusCode(e: unknown): number | undefined {
  const code = (e as EngineErrorShape | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The engine's own message (`{"message": ...}` body) when there is one, else the error's. */
export function engineMessage(e: unknown): string {
  const shape = e as EngineErrorShape | null;
  const json = shape?.json;
  if (json && typeof json === 'object' && 'message' in json && typeof json.message === 'string')
    return json.message;
  if (typeof shape?.message === 'string') return shape.message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '');
  return String(e);
}

export function isUnreachable(e: unknown): boolean {
  const code = (e as EngineErrorShape | null)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

export function unreachableError(endpoint: string, e: unknown): OrchError {
  const code = (e as EngineErrorShape | null)?.code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied on its socket (add yourself to the docker group, or set DOCKER_HOST)'
      : code === 'ENOENT'
        ? 'no socket there: is dockerd running? start it with `sudo dockerd &` (or scripts/ensure-docker.sh)'
        : `${String(code)}: is dockerd running? start it with \`sudo dockerd &\` (or scripts/ensure-docker.sh)`;
  return new OrchError('ENGINE_UNREACHABLE', `cannot reach the Docker engine at ${endpoint}: ${why}`, {
    cause: e,
  });
}

/** An engine request that failed for a reason other than reachability, with the engine's words. */
export class EngineRequestError extends Error {
  readonly statusCode: number | undefined;
  constructor(what: string, e: unknown) {
    super(`${what}: ${engineMessage(e)}`, { cause: e });
    this.name = 'EngineRequestError';
    this.statusCode = statusCode(e);
  }
}
