import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What a project's dashboard keeps between supervisors: its port and token, so open pages keep working. */
export interface DashboardIdentity {
  readonly port: number;
  readonly token: string;
}

export async function loadIdentity(file: string): Promise<Partial<DashboardIdentity>> {
  try {
    const o = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    return {
      ...(typeof o['port'] === 'number' ? { port: o['port'] } : {}),
      ...(typeof o['token'] === 'string' && o['token'].length >= 16 ? { token: o['token'] } : {}),
    };
  } catch {
    return {};
  }
}

export async function saveIdentity(file: string, id: DashboardIdentity & { url: string }): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  // Only this user may read the token.
  await writeFile(file, `${JSON.stringify(id)}\n`, { mode: 0o600 });
}

/** 128 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}
