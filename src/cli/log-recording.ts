import type { Project } from '../model/project.js';
import { fsLogStore, logStoreDir } from '../adapters/log-store-fs.js';
import { LogStore } from '../core/logs/store.js';
import { captureProject } from '../core/logs/capture.js';
import { allReplicas } from '../core/runtime/all-replicas.js';
import { createRecorder, type Recorder } from '../core/logs/recorder.js';
import type { EngineDeps } from '../core/engine/up.js';

export function projectLogStore(project: Project): LogStore {
  return new LogStore(fsLogStore(logStoreDir(project.projectDir, project.name)));
}

/**
 * The background supervisor's log recording: every replica (new and restarted ones too) into the
 * project's store, so `orch logs --trace` and CI post-mortems work after the containers are gone.
 */
export function recordProjectLogs(
  project: Project,
  deps: EngineDeps,
  signal: AbortSignal,
  onError: (e: unknown) => void,
): { recorder: Recorder; done: Promise<void> } {
  const recorder = createRecorder(projectLogStore(project), deps.clock, {
    flushMs: 500,
    maxBatch: 2000,
    onError,
  });
  const done = captureProject(allReplicas(deps.runtimes), {
    project: project.name,
    signal,
    onRecord: (r) => recorder.add(r),
    onError,
  }).finally(() => recorder.close());
  return { recorder, done };
}
