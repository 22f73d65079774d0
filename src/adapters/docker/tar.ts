import tar from 'tar-stream';

/**
 * Tar archives for build contexts and putArchive, written by tar-stream (ustar headers, a pax
 * header where a name does not fit). Entries are written in the order given.
 */
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

export interface TarItem {
  readonly entry: TarEntry;
  /** File content: a buffer, or chunks that must add up to `entry.size`. */
  readonly body?: Buffer | AsyncIterable<Buffer>;
}

/** Streams the archive as it is read: one entry at a time, file bodies read as they are packed. */
export function tarStream(items: AsyncIterable<TarItem> | Iterable<TarItem>): AsyncIterable<Buffer> {
  const pack = tar.pack();
  void (async () => {
    for await (const item of items) await addItem(pack, item);
    pack.finalize();
  })().catch((e: unknown) => pack.destroy(e instanceof Error ? e : new Error(String(e))));
  // Its chunks are Buffers on Node (its types say unknown, for other runtimes).
  return pack as AsyncIterable<Buffer>;
}

/** The whole archive in memory: for the small putArchive payloads (secrets, configs). */
export async function tarBuffer(items: Iterable<TarItem>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tarStream(items)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function header(entry: TarEntry): tar.Header | (Pick<tar.Header, 'name'> & Partial<tar.Header>) {
  const dir = entry.type === 'dir';
  return {
    // A trailing `/` marks a directory for readers that go by the name, as Docker's own tar does.
    name: dir && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name,
    type: dir ? 'directory' : entry.type,
    mode: entry.mode,
    size: entry.type === 'file' ? (entry.size ?? 0) : 0,
    mtime: entry.mtime ?? new Date(0),
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    ...(entry.linkname !== undefined ? { linkname: entry.linkname } : {}),
  };
}

async function addItem(pack: tar.Pack, item: TarItem): Promise<void> {
  const h = header(item.entry);
  const size = h.size ?? 0;
  const file = item.entry.type === 'file';
  // A buffer that disagrees with the announced size is cut or padded, as a stream is below.
  const body = !file
    ? undefined
    : Buffer.isBuffer(item.body) || !item.body
      ? fit(item.body, size)
      : undefined;
  let sink: ReturnType<tar.Pack['entry']> | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const settle = (err?: Error | null): void => (err ? reject(err) : resolve());
    sink = body ? pack.entry(h, body, settle) : pack.entry(h, settle);
  });
  // Its errors reach `done` (the entry's callback) and the pack; an 'error' event unheard would throw.
  sink?.on('error', () => undefined);
  if (!file || body || !sink) return done;
  let written = 0;
  try {
    for await (const chunk of item.body as AsyncIterable<Buffer>) {
      // A file that grows while it is read must not corrupt the archive: cut it at the size announced.
      const take = chunk.subarray(0, Math.max(0, size - written));
      written += take.length;
      if (take.length > 0 && !sink.write(take)) await drained(sink);
    }
  } catch (e) {
    // The caller destroys the pack with this error; the entry then fails with it too.
    done.catch(() => undefined);
    throw e;
  }
  // ...and one that shrank is padded with zeros to that size.
  sink.end(written < size ? Buffer.alloc(size - written) : null);
  return done;
}

/** Until the entry takes more; an entry destroyed meanwhile (the reader went away) ends the packing. */
function drained(sink: ReturnType<tar.Pack['entry']>): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      sink.off('drain', settle);
      sink.off('close', settle);
      if (sink.destroyed) reject(new Error('tar entry closed before it was written'));
      else resolve();
    };
    sink.on('drain', settle);
    sink.on('close', settle);
  });
}

function fit(body: Buffer | undefined, size: number): Buffer {
  if (!body) return Buffer.alloc(size);
  if (body.length === size) return body;
  return body.length > size
    ? body.subarray(0, size)
    : Buffer.concat([body, Buffer.alloc(size - body.length)]);
}
