/** What the watcher needs from the host's file system, behind ports (chokidar and node:fs in adapters/). */

export type FsChangeKind = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface FsChange {
  readonly kind: FsChangeKind;
  /** Absolute path on the host. */
  readonly path: string;
}

export interface WatchSubscription {
  /** Resolves once the initial scan is done: changes after it are reported. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchPort {
  /**
   * Reports changes below `paths` (files or directories, recursively). `ignored` is asked about
   * every path before it is watched, so ignored trees (node_modules, .git) are never descended.
   */
  watch(
    paths: readonly string[],
    opts: {
      readonly ignored: (path: string) => boolean;
      readonly onChange: (c: FsChange) => void;
      readonly onError: (e: Error) => void;
    },
  ): WatchSubscription;
}

export interface HostFile {
  readonly content: Buffer;
  readonly mode: number;
}

export interface HostFilesPort {
  /** undefined: the path does not exist (or is no regular file). */
  readFile(path: string): Promise<HostFile | undefined>;
  readText(path: string): Promise<string | undefined>;
  /** Every regular file below `dir` (absolute paths); [] when it does not exist. A file: itself. */
  listFiles(dir: string, ignored: (path: string) => boolean): Promise<string[]>;
}
