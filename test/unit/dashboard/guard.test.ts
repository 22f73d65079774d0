import { describe, expect, it } from 'vitest';
import {
  checkRequest,
  hostAllowed,
  originAllowed,
  type GuardRequest,
} from '../../../src/adapters/dashboard/guard.js';

const TOKEN = 'k3y-0123456789abcdef';
const PORT = 41234;

function req(over: Partial<GuardRequest> & { path?: string } = {}): GuardRequest {
  const { path = `/?token=${TOKEN}`, ...rest } = over;
  return {
    method: 'GET',
    url: new URL(path, 'http://127.0.0.1'),
    host: `127.0.0.1:${PORT}`,
    origin: undefined,
    tokenHeader: undefined,
    fetchSite: undefined,
    ...rest,
  };
}

describe('the dashboard guard', () => {
  it('lets a request with the token and a local Host through', () => {
    expect(checkRequest(req(), TOKEN, PORT)).toEqual({ ok: true });
    expect(checkRequest(req({ host: `localhost:${PORT}` }), TOKEN, PORT)).toEqual({ ok: true });
    expect(checkRequest(req({ path: '/api/status', tokenHeader: TOKEN }), TOKEN, PORT)).toEqual({ ok: true });
  });

  it('refuses a missing or wrong token with 401', () => {
    expect(checkRequest(req({ path: '/' }), TOKEN, PORT)).toMatchObject({ ok: false, status: 401 });
    expect(checkRequest(req({ path: '/?token=nope' }), TOKEN, PORT)).toMatchObject({
      ok: false,
      status: 401,
    });
    expect(checkRequest(req({ path: `/?token=${TOKEN}x` }), TOKEN, PORT)).toMatchObject({ status: 401 });
    expect(checkRequest(req({ path: '/api/status', tokenHeader: 'wrong' }), TOKEN, PORT)).toMatchObject({
      status: 401,
    });
  });

  it('refuses another Host with 403 even with the token (DNS rebinding)', () => {
    for (const host of ['evil.example', `evil.example:${PORT}`, `127.0.0.1.evil.example:${PORT}`, undefined])
      expect(checkRequest(req({ host }), TOKEN, PORT)).toMatchObject({ ok: false, status: 403 });
    // The right name on another port is another server.
    expect(checkRequest(req({ host: '127.0.0.1:9999' }), TOKEN, PORT)).toMatchObject({ status: 403 });
  });

  it('takes actions only by POST', () => {
    const get = req({ path: `/api/actions/restart?token=${TOKEN}` });
    expect(checkRequest(get, TOKEN, PORT)).toMatchObject({ ok: false, status: 405 });
    expect(checkRequest({ ...get, method: 'POST' }, TOKEN, PORT)).toEqual({ ok: true });
  });

  it('refuses a POST from another origin or site, even one carrying the token', () => {
    const post = req({ method: 'POST', path: `/api/actions/stop?token=${TOKEN}` });
    expect(checkRequest({ ...post, origin: 'https://evil.example' }, TOKEN, PORT)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(checkRequest({ ...post, origin: `http://127.0.0.1:${PORT + 1}` }, TOKEN, PORT)).toMatchObject({
      status: 403,
    });
    expect(checkRequest({ ...post, fetchSite: 'cross-site' }, TOKEN, PORT)).toMatchObject({ status: 403 });
    expect(checkRequest({ ...post, fetchSite: 'same-site' }, TOKEN, PORT)).toMatchObject({ status: 403 });
    expect(
      checkRequest({ ...post, origin: `http://localhost:${PORT}`, fetchSite: 'same-origin' }, TOKEN, PORT),
    ).toEqual({ ok: true });
  });

  it('knows the local names and ports', () => {
    expect(hostAllowed('LOCALHOST', PORT)).toBe(true);
    expect(hostAllowed(`localhost:${PORT}`, PORT)).toBe(true);
    expect(hostAllowed('[::1]:41234', PORT)).toBe(false);
    expect(originAllowed(`http://127.0.0.1:${PORT}`, PORT)).toBe(true);
    expect(originAllowed('null', PORT)).toBe(false);
    expect(originAllowed(`https://127.0.0.1:${PORT}`, PORT)).toBe(false);
  });
});
