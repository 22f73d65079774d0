import type { Project } from '../model/project.js';
import { fsLogStore, logStoreDir } from '../adapters/log-store-fs.js';
import { LogStore } from '../core/logs/store.js';
import { captureProject } from '../core/logs/capture.js';
import { trackedReader, trackerStarts } from '../core/logs/starts.js';
import { allReplicas } from '../core/runtime/all-replicas.js';
import { createRecorder, type Recorder } from '../core/logs/recorder.js';
import type { EngineDeps } from '../core/engine/up.js';
import type { ReplicaTracker } from '../core/engine/replica-tracker.js';

export function projectLogStore(project: Project): LogStore {
  return new LogStore(fsLogStore(logStoreDir(project.projectDir, project.name)));
}

/**
 * The background supervisor's log recording: every replica (new and restarted ones too) into the
 * project's store, so `orch logs --trace` and CI post-mortems work after the containers are gone.
 * Starts come from the supervisor's tracker, the stack's one event stream, which reconnects after
 * an engine restart: a second stream of capture's own would not, and what came back up after the
 * restart would go unrecorded.
 */
export function recordProjectLogs(
  project: Project,
  deps: EngineDeps,
  tracker: ReplicaTracker,
  signal: AbortSignal,
  onError: (e: unknown) => void,
): { recorder: Recorder; done: Promise<void> } {
  const recorder = createRecorder(projectLogStore(project), deps.clock, {
    flushMs: 500,
    maxBatch: 2000,
    onError,
  });
  const done = captureProject(trackedReader(tracker, allReplicas(deps.runtimes)), {
    project: project.name,
    signal,
    starts: trackerStarts(tracker),
    onRecord: (r) => recorder.add(r),
    onError,
  }).finally(() => recorder.close());
  return { recorder, done };
}
