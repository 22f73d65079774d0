export { startWatch, type StartWatchOptions, type WatchHandle, type WatchSession } from './watcher.js';
export type {
  FsChange,
  FsChangeKind,
  HostFile,
  HostFilesPort,
  WatchPort,
  WatchSubscription,
} from './ports.js';
export { Debouncer, DEFAULT_DEBOUNCE, type DebounceTiming } from './debounce.js';
export { compileRule, defaultIgnored, matchRule, prunable, route, type CompiledRule } from './match.js';
export { describePlan, diffProjects, hasWork, type ProjectPlan, type ServiceChange } from './plan.js';
