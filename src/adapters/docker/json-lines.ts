import { StringDecoder } from 'node:string_decoder';

/**
 * The engine streams progress and events as JSON documents, one per line, cut anywhere by the
 * transport. Yields each parsed document; a line that is not JSON is yielded as `{ raw }`.
 */
export async function* jsonLines(
  stream: AsyncIterable<Buffer | string>,
): AsyncGenerator<Record<string, unknown>> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of stream) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const doc = parse(line);
      if (doc) yield doc;
    }
  }
  const doc = parse(pending + decoder.end());
  if (doc) yield doc;
}

function parse(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { raw: trimmed };
  } catch {
    return { raw: trimmed };
  }
}

/** The error a progress document reports (`errorDetail.message` or `error`), if any. */
export function progressError(doc: Record<string, unknown>): string | undefined {
  const detail = doc['errorDetail'];
  if (detail && typeof detail === 'object' && 'message' in detail && typeof detail.message === 'string') {
    return detail.message;
  }
  const error = doc['error'];
  return typeof error === 'string' ? error : undefined;
}
