import type { DockerPort, LogLine } from '../ports.js';

export interface TaggedLine extends LogLine {
  readonly service: string;
  readonly replica: number;
}

/** Streams the output of these replicas, each line tagged with its replica, until `signal` aborts. */
export async function followLogs(
  replicas: readonly { id: string; service: string; replica: number }[],
  docker: DockerPort,
  signal: AbortSignal,
  onLine: (l: TaggedLine) => void,
): Promise<void> {
  await Promise.all(
    replicas.map(async (r) => {
      try {
        for await (const l of docker.logs(r.id, { follow: true, timestamps: true, signal }))
          onLine({ ...l, service: r.service, replica: r.replica });
      } catch {
        // The stream ends when the container goes or the session is interrupted.
      }
    }),
  );
}
