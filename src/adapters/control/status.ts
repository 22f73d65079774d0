import { unlink } from 'node:fs/promises';
import { OrchError, type ErrorCode, catalogue } from '../../errors/index.js';
import { getOnce } from '../socket-get.js';

/** The supervisor's answer: its JSON on 200, else the error it describes, as an OrchError. */
export function answer<T>(status: number, body: string): T {
  const parsed = JSON.parse(body || '{}') as { error?: { code: string; message: string; hint?: string } };
  if (status === 200) return parsed as T;
  const err = parsed.error;
  const code = (err && err.code in catalogue ? err.code : 'INTERNAL') as ErrorCode;
  throw new OrchError(
    code,
    `supervisor: ${err?.message ?? `HTTP ${status}`}`,
    err?.hint ? { hint: err.hint } : {},
  );
}

/**
 * The supervisor's `GET /status` answer at `socket`, or undefined when none runs (a socket left by
 * a killed one is removed). Apart from the ControlClient and without node:http: it is all that a
 * running stack's `orch ps` asks, and loading node:http was ~5% of that command's instructions.
 */
export async function supervisorStatus<T>(socket: string): Promise<T | undefined> {
  try {
    const { status, body } = await getOnce({ path: socket }, '/status', 2000);
    return answer<T>(status, body);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // Refused: nobody listens on a socket left behind by a supervisor that was killed.
    if (code === 'ECONNREFUSED' || code === 'ENOTSOCK') {
      await unlink(socket).catch(() => undefined);
      return undefined;
    }
    // Gone, or closing its connections while it shuts down.
    if (code === 'ENOENT' || code === 'EPIPE' || code === 'ECONNRESET') return undefined;
    if (code === 'ETIMEDOUT') throw new Error('supervisor did not answer in time');
    throw e;
  }
}
