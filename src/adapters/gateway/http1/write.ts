import { STATUS_CODES } from 'node:http';

/**
 * A request head for the upstream: request line, the (already rewritten) header list, and
 * `extra` lines such as a framing header, ending in the empty line.
 */
export function requestHeadText(
  method: string,
  path: string,
  headers: readonly string[],
  extra = '',
): string {
  let s = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i + 1 < headers.length; i += 2) s += `${headers[i] ?? ''}: ${headers[i + 1] ?? ''}\r\n`;
  return `${s}${extra}\r\n`;
}

/**
 * A whole response the gateway makes itself (no route, no replica, a timeout, a request it
 * cannot read): a small JSON body, the request id when there is one, `connection: close` when
 * the connection ends after it.
 */
export function gatewayResponse(
  status: number,
  body: string,
  opts: { readonly requestId?: string; readonly close: boolean },
): string {
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n` +
    (opts.requestId !== undefined ? `x-request-id: ${opts.requestId}\r\n` : '') +
    (opts.close ? 'connection: close\r\n' : '') +
    `\r\n${body}`
  );
}
