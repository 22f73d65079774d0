import { Agent, request } from 'undici';
import type { SmokeHttpPort, SmokeHttpRequest, SmokeHttpResponse } from '../core/smoke/index.js';

const MAX_BODY = 1024 * 1024;

/**
 * HTTP for smoke checks (undici). Its own agent, closed after the run, so no pooled keep-alive
 * socket holds the process open; redirects are not followed, so `expect_status: 302` can be checked.
 */
export class UndiciSmokeHttp implements SmokeHttpPort {
  private readonly agent = new Agent({ keepAliveTimeout: 1000 });

  async request(req: SmokeHttpRequest): Promise<SmokeHttpResponse> {
    const signal = AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]);
    const headers: Record<string, string> = { 'user-agent': 'orch-smoke', ...req.headers };
    const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
    if (req.body !== undefined && !hasType)
      headers['content-type'] = looksLikeJson(req.body) ? 'application/json' : 'text/plain';
    try {
      const res = await request(req.url, {
        method: req.method as 'GET',
        headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
        signal,
        dispatcher: this.agent,
      });
      let body = '';
      for await (const chunk of res.body) {
        if (body.length < MAX_BODY) body += (chunk as Buffer).toString('utf8');
      }
      return { status: res.statusCode, body };
    } catch (e) {
      if (req.signal.aborted) throw e;
      if (signal.aborted) throw new Error(`no answer within ${req.timeoutMs}ms (timeout)`, { cause: e });
      throw new Error(`${req.method} ${req.url}: ${describe(e)}`, { cause: e });
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function looksLikeJson(body: string): boolean {
  const t = body.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}

function describe(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { code?: string } };
  const code = err.code ?? err.cause?.code;
  return code ? `${code} ${err.message ?? ''}`.trim() : (err.message ?? String(e));
}
