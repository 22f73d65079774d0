import type { SmokeCheck } from '../../model/project.js';
import { jsonEqual, lookupJson, parseJsonPath } from './json-path.js';
import type { SmokeHttpResponse } from './types.js';

type HttpCheck = Extract<SmokeCheck, { kind: 'http' }>;

const SNIPPET = 200;

/**
 * Why a response does not meet the check's expectations, or undefined when it does. Without
 * `expect_status`, any 2xx passes: a smoke check that got a 500 should not pass by default.
 */
export function evaluateResponse(check: HttpCheck, res: SmokeHttpResponse): string | undefined {
  if (check.expectStatus !== undefined) {
    if (res.status !== check.expectStatus)
      return `status ${res.status}, expected ${check.expectStatus}${bodyHint(res.body)}`;
  } else if (res.status < 200 || res.status > 299) {
    return `status ${res.status}, expected 2xx${bodyHint(res.body)}`;
  }
  if (check.expectBody !== undefined) {
    const why = matchBody(check.expectBody, res.body);
    if (why) return why;
  }
  if (check.expectJson) return matchJson(check.expectJson, res.body);
  return undefined;
}

/** `/re/flags` is a regular expression; anything else is a substring. */
export function bodyMatcher(expect: string): { regex: RegExp } | { substring: string } | { error: string } {
  const m = /^\/(.*)\/([dgimsuvy]*)$/s.exec(expect);
  if (!m) return { substring: expect };
  try {
    return { regex: new RegExp(m[1] ?? '', m[2]) };
  } catch (e) {
    return { error: `expect_body ${expect} is not a valid regular expression: ${(e as Error).message}` };
  }
}

function matchBody(expect: string, body: string): string | undefined {
  const m = bodyMatcher(expect);
  if ('error' in m) return m.error;
  if ('regex' in m) return m.regex.test(body) ? undefined : `body does not match ${expect}${bodyHint(body)}`;
  return body.includes(m.substring) ? undefined : `body does not contain "${m.substring}"${bodyHint(body)}`;
}

function matchJson(expect: { path: string; value: unknown }, body: string): string | undefined {
  const steps = parseJsonPath(expect.path);
  if (!steps) return `expect_json path "${expect.path}" is not a valid path (use a.b[0].c)`;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return `body is not JSON${bodyHint(body)}`;
  }
  const found = lookupJson(doc, steps);
  if (!found.found) return `JSON has no ${found.at} (looking up ${expect.path})${bodyHint(body)}`;
  // `value` left out: the path only has to exist.
  if (expect.value === undefined) return undefined;
  if (jsonEqual(found.value, expect.value)) return undefined;
  return `JSON ${expect.path} is ${short(JSON.stringify(found.value) ?? 'undefined')}, expected ${short(JSON.stringify(expect.value) ?? 'undefined')}`;
}

function bodyHint(body: string): string {
  const t = body.trim();
  return t === '' ? ' (empty body)' : `; body: ${short(t)}`;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > SNIPPET ? `${one.slice(0, SNIPPET)}…` : one;
}
