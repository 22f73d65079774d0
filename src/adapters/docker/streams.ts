/**
 * Iterates a Node stream until it ends, or until `signal` aborts (then it is destroyed and the
 * iteration simply ends). Breaking out of the loop also destroys it: nothing keeps a socket open.
 */
export async function* untilAborted(
  stream: NodeJS.ReadableStream & { destroy?: (error?: Error) => void },
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  if (signal?.aborted) {
    stream.destroy?.();
    return;
  }
  const onAbort = (): void => {
    stream.destroy?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    }
  } catch (e) {
    // Destroying the stream on abort surfaces as a premature-close error: that is the normal end.
    if (!signal?.aborted) throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.destroy?.();
  }
}
