/**
 * A small streaming tar (ustar + pax for long names) writer: enough for build contexts and for
 * putArchive, without another dependency. Entries are written in the order given.
 */

const BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive, `/`-separated, no leading `/`. */
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  readonly size?: number;
  readonly mtime?: Date;
  readonly linkname?: string;
  readonly uid?: number;
  readonly gid?: number;
}

function octal(value: number, width: number): string {
  // width includes the trailing NUL
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function paxRecord(key: string, value: string): string {
  // The length prefix counts itself, so iterate until it is stable.
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body);
  while (Buffer.byteLength(`${len}${body}`) !== len) len = Buffer.byteLength(`${len}${body}`);
  return `${len}${body}`;
}

/** Splits a long name into ustar's prefix (≤155 bytes) and name (≤100 bytes), if it can be. */
function splitName(name: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') {
      return { prefix, name: rest };
    }
  }
  return undefined;
}

function rawHeader(fields: {
  name: string;
  prefix: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
}): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(fields.name, 0, 100, 'utf8');
  h.write(octal(fields.mode & 0o7777, 8), 100, 8, 'ascii');
  h.write(octal(fields.uid, 8), 108, 8, 'ascii');
  h.write(octal(fields.gid, 8), 116, 8, 'ascii');
  h.write(octal(fields.size, 12), 124, 12, 'ascii');
  h.write(octal(fields.mtime, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write(fields.typeflag, 156, 1, 'ascii');
  h.write(fields.linkname, 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return rem === 0 ? Buffer.alloc(0) : Buffer.alloc(BLOCK - rem);
}

/** The header block(s) of one entry: a pax header first when a name does not fit ustar. */
export function entryHeader(entry: TarEntry): Buffer {
  const name = entry.type === 'dir' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  const size = entry.type === 'file' ? (entry.size ?? 0) : 0;
  const mtime = Math.floor((entry.mtime ?? new Date(0)).getTime() / 1000);
  const linkname = entry.linkname ?? '';
  const split = splitName(name);
  const linkFits = Buffer.byteLength(linkname) <= 100;
  const blocks: Buffer[] = [];
  if (!split || !linkFits) {
    let pax = '';
    if (!split) pax += paxRecord('path', name);
    if (!linkFits) pax += paxRecord('linkpath', linkname);
    const body = Buffer.from(pax, 'utf8');
    blocks.push(
      rawHeader({
        name: 'PaxHeader',
        prefix: '',
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: body.length,
        mtime,
        typeflag: 'x',
        linkname: '',
      }),
      body,
      padding(body.length),
    );
  }
  const typeflag = entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2';
  blocks.push(
    rawHeader({
      name: split ? split.name : name.slice(0, 100),
      prefix: split ? split.prefix : '',
      mode: entry.mode,
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      size,
      mtime,
      typeflag,
      linkname: linkFits ? linkname : linkname.slice(0, 100),
    }),
  );
  return Buffer.concat(blocks);
}

export interface TarItem {
  readonly entry: TarEntry;
  /** File content: a buffer, or chunks that must add up to `entry.size`. */
  readonly body?: Buffer | AsyncIterable<Buffer>;
}

/** Streams the archive: headers, bodies padded to blocks, and the two zero blocks at the end. */
export async function* tarStream(items: AsyncIterable<TarItem> | Iterable<TarItem>): AsyncGenerator<Buffer> {
  for await (const item of items) {
    const size = item.entry.type === 'file' ? (item.entry.size ?? 0) : 0;
    yield entryHeader(item.entry);
    if (size === 0) continue;
    let written = 0;
    if (Buffer.isBuffer(item.body)) {
      written = item.body.length;
      yield item.body;
    } else if (item.body) {
      for await (const chunk of item.body) {
        // A file that grows while it is read must not corrupt the archive: cut it at the size we announced.
        const take = chunk.subarray(0, Math.max(0, size - written));
        written += take.length;
        if (take.length > 0) yield take;
      }
    }
    // ...and one that shrank is padded with zeros to that size.
    if (written < size) yield Buffer.alloc(size - written);
    yield padding(size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** The whole archive in memory: for the small putArchive payloads (secrets, configs). */
export async function tarBuffer(items: Iterable<TarItem>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(items)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
