import { describe, expect, it } from 'vitest';
import type { SmokeCheck } from '../../../src/model/project.js';
import { evaluateResponse } from '../../../src/core/smoke/index.js';

type HttpCheck = Extract<SmokeCheck, { kind: 'http' }>;
const check = (over: Partial<HttpCheck> = {}): HttpCheck => ({
  kind: 'http',
  name: 'c',
  method: 'GET',
  path: '/',
  headers: {},
  retries: 0,
  timeoutMs: 1000,
  ...over,
});

describe('evaluateResponse', () => {
  it('wants a 2xx when no status is expected', () => {
    expect(evaluateResponse(check(), { status: 204, body: '' })).toBeUndefined();
    expect(evaluateResponse(check(), { status: 502, body: '{"error":"no healthy replica"}' })).toBe(
      'status 502, expected 2xx; body: {"error":"no healthy replica"}',
    );
  });

  it('checks expect_status exactly', () => {
    expect(evaluateResponse(check({ expectStatus: 404 }), { status: 404, body: '' })).toBeUndefined();
    expect(evaluateResponse(check({ expectStatus: 200 }), { status: 201, body: '' })).toBe(
      'status 201, expected 200 (empty body)',
    );
  });

  it('matches expect_body as a substring or a /regex/flags', () => {
    expect(evaluateResponse(check({ expectBody: 'ok' }), { status: 200, body: 'all ok' })).toBeUndefined();
    expect(evaluateResponse(check({ expectBody: 'ok' }), { status: 200, body: 'nope' })).toMatch(
      /body does not contain "ok"/,
    );
    expect(
      evaluateResponse(check({ expectBody: '/^v\\d+$/' }), { status: 200, body: 'v12' }),
    ).toBeUndefined();
    expect(evaluateResponse(check({ expectBody: '/^OK$/i' }), { status: 200, body: 'ok' })).toBeUndefined();
    expect(evaluateResponse(check({ expectBody: '/^v\\d+$/' }), { status: 200, body: 'x' })).toMatch(
      /does not match/,
    );
    expect(evaluateResponse(check({ expectBody: '/(/' }), { status: 200, body: 'x' })).toMatch(
      /not a valid regular expression/,
    );
    // A lone slash is a substring, not an empty regex.
    expect(evaluateResponse(check({ expectBody: '/' }), { status: 200, body: 'a/b' })).toBeUndefined();
  });

  it('checks expect_json values, existence, and non-JSON bodies', () => {
    const body = JSON.stringify({ status: 'up', deps: [{ name: 'db', ok: true }], n: 3 });
    const j = (path: string, value?: unknown): HttpCheck => check({ expectJson: { path, value } });
    expect(evaluateResponse(j('deps[0].ok', true), { status: 200, body })).toBeUndefined();
    expect(evaluateResponse(j('n', 3), { status: 200, body })).toBeUndefined();
    expect(evaluateResponse(j('deps[0]', { name: 'db', ok: true }), { status: 200, body })).toBeUndefined();
    expect(evaluateResponse(j('status'), { status: 200, body })).toBeUndefined();
    expect(evaluateResponse(j('status', 'down'), { status: 200, body })).toBe(
      'JSON status is "up", expected "down"',
    );
    expect(evaluateResponse(j('deps[1].name', 'db'), { status: 200, body })).toMatch(
      /^JSON has no deps\[1\]/,
    );
    expect(evaluateResponse(j('a..b', 1), { status: 200, body })).toMatch(/not a valid path/);
    expect(evaluateResponse(j('a', 1), { status: 200, body: '<html>' })).toBe(
      'body is not JSON; body: <html>',
    );
  });

  it('checks status before body', () => {
    expect(evaluateResponse(check({ expectBody: 'ok' }), { status: 500, body: 'ok' })).toMatch(/^status 500/);
  });
});
