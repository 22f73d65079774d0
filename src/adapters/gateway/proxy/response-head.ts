import type { Framing, RequestHead, ResponseHead } from '../http1/head.js';

/**
 * The response head sent to the client, re-framed from what was read: the upstream's own
 * Content-Length goes out only where it frames nothing (HEAD, 304), so a listing or a mistake
 * upstream cannot leave a kept-alive client without a length.
 */
export function responseHeadText(
  method: string,
  head: ResponseHead,
  headers: readonly string[],
  framing: Framing,
  http10: boolean,
  close: boolean,
): string {
  const chunked = framing.kind === 'chunked';
  const informational = method === 'HEAD' || head.status === 304;
  let s = `HTTP/1.1 ${head.status} ${head.reason}\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] ?? '';
    if (!informational && name.length === 14 && name.toLowerCase() === 'content-length') continue;
    s += `${name}: ${headers[i + 1] ?? ''}\r\n`;
  }
  if (framing.kind === 'length') s += `content-length: ${framing.length}\r\n`;
  else if (chunked && !http10) s += 'transfer-encoding: chunked\r\n';
  else if (framing.kind === 'none' && !informational && head.status !== 204 && head.status >= 200)
    s += 'content-length: 0\r\n';
  if (close) s += 'connection: close\r\n';
  else if (http10) s += 'connection: keep-alive\r\n';
  return `${s}\r\n`;
}

/** The 101 head for a tunnel: the upstream's headers, then the upgrade pair. */
export function upgradeHeadText(head: ResponseHead, headers: readonly string[]): string {
  let upgrade = '';
  for (let i = 0; i + 1 < head.rawHeaders.length; i += 2)
    if ((head.rawHeaders[i] ?? '').toLowerCase() === 'upgrade') upgrade = head.rawHeaders[i + 1] ?? '';
  let s = `HTTP/1.1 101 ${head.reason}\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) s += `${headers[i] ?? ''}: ${headers[i + 1] ?? ''}\r\n`;
  return `${s}connection: upgrade\r\nupgrade: ${upgrade}\r\n\r\n`;
}

const EMPTY_BODY_IS_SAID = new Set(['POST', 'PUT', 'PATCH']);

/** The framing line the upstream is sent: always the gateway's own, from what it read. */
export function requestFraming(req: RequestHead): string {
  switch (req.framing.kind) {
    case 'chunked':
      return 'transfer-encoding: chunked\r\n';
    case 'length':
      return `content-length: ${req.framing.length}\r\n`;
    default:
      return EMPTY_BODY_IS_SAID.has(req.method) ? 'content-length: 0\r\n' : '';
  }
}
