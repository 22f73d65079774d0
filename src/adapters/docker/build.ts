import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { BuildRequest } from '../../core/ports.js';
import { OrchError } from '../../errors/index.js';
import { isRemoteContext } from '../../project/relative-paths.js';
import { buildContext } from './build-context.js';
import { engineMessage, statusCode } from './engine-errors.js';
import { jsonLines, progressError } from './json-lines.js';

const TAIL_LINES = 20;

/**
 * Builds `req` with the engine's builder: the context is tarred here (honouring .dockerignore),
 * progress lines go to `onLine`, and an error in the stream becomes BUILD_FAILED with the tail
 * of the output, since the engine answers 200 before it knows whether the build will work.
 */
export async function buildImage(
  docker: Docker,
  req: BuildRequest,
  onLine: ((line: string) => void) | undefined,
  rethrowEngineError: (e: unknown) => never,
): Promise<void> {
  if (isRemoteContext(req.context)) {
    // The engine fetches git/URL contexts itself (`remote=`); there is nothing local to tar.
    const options: Docker.ImageBuildOptions = { ...engineOptions(req, req.dockerfile), remote: req.context };
    return stream(docker, req, Readable.from([]), options, onLine, rethrowEngineError);
  }
  const dockerfilePath = path.resolve(req.context, req.dockerfile);
  const missing = await Promise.all([
    stat(req.context).catch(() => null),
    stat(dockerfilePath).catch(() => null),
  ]);
  if (!missing[0]?.isDirectory()) {
    throw new OrchError(
      'BUILD_FAILED',
      `cannot build ${req.tag}: build context ${req.context} is not a directory`,
    );
  }
  if (!missing[1]?.isFile()) {
    throw new OrchError('BUILD_FAILED', `cannot build ${req.tag}: no Dockerfile at ${dockerfilePath}`);
  }

  const ctx = await buildContext(req.context, req.dockerfile);
  return stream(
    docker,
    req,
    Readable.from(ctx.stream),
    engineOptions(req, ctx.dockerfile),
    onLine,
    rethrowEngineError,
  );
}

function engineOptions(req: BuildRequest, dockerfile: string): Docker.ImageBuildOptions {
  return {
    t: req.tag,
    dockerfile,
    buildargs: { ...req.args },
    labels: { ...req.labels },
    rm: true,
    forcerm: true,
    ...(req.target === undefined ? {} : { target: req.target }),
  };
}

async function stream(
  docker: Docker,
  req: BuildRequest,
  body: Readable,
  options: Docker.ImageBuildOptions,
  onLine: ((line: string) => void) | undefined,
  rethrowEngineError: (e: unknown) => never,
): Promise<void> {
  let response: NodeJS.ReadableStream;
  try {
    response = await docker.buildImage(body, options);
  } catch (e) {
    // The engine refuses some broken builds before streaming (e.g. an unknown target stage).
    if (statusCode(e) !== undefined) {
      throw new OrchError('BUILD_FAILED', `building ${req.tag} failed: ${engineMessage(e)}`, { cause: e });
    }
    rethrowEngineError(e);
  }

  const tail: string[] = [];
  const remember = (text: string): void => {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      onLine?.(line);
    }
  };
  for await (const doc of jsonLines(response as AsyncIterable<Buffer>)) {
    const error = progressError(doc);
    if (error !== undefined) {
      // The tail ends with the error itself, after the step that caused it.
      remember(error);
      throw new OrchError('BUILD_FAILED', `building ${req.tag} failed:\n${tail.join('\n')}`);
    }
    const text = doc['stream'] ?? doc['status'] ?? doc['raw'];
    if (typeof text === 'string') remember(text);
  }
}
