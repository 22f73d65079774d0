import { forwardRequestHeaders, matchRoute, upstreamPath } from '../../../core/gateway/index.js';
import type { ProxyEnv } from '../env.js';
import type { RequestHead } from '../http1/head.js';
import type { ClientSide } from './client-side.js';
import { Exchange } from './exchange.js';

/** Starts one plain (non-Upgrade) request: route, rewrite, send. */
export function startExchange(env: ProxyEnv, client: ClientSide, head: RequestHead): Exchange {
  const start = env.mono();
  const fwd = forwardRequestHeaders(head.rawHeaders, {
    ids: env.ids,
    clientIp: client.ip,
    proto: 'http',
    upgrade: head.upgrade,
  });
  const ex = new Exchange(env, client, head, fwd, start);
  const route = matchRoute(env.table, fwd.host === '' ? undefined : fwd.host, head.url);
  if (route === undefined) ex.answer(404, 'no route matches this request');
  else ex.route(env.membership, env.membership.state(route), upstreamPath(route, head.url));
  return ex;
}
