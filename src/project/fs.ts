/**
 * The only file access the loader needs. Kept tiny so tests can hand in an in-memory map and the
 * real node:fs implementation lives in src/adapters/fs.ts.
 */
export interface ProjectFs {
  /** The file's text, or undefined when it does not exist. Other failures throw. */
  readText(path: string): Promise<string | undefined>;
  /** True when a file (not a directory) exists at the path. */
  isFile(path: string): Promise<boolean>;
}

/** A ProjectFs over a plain record of absolute path → content, for tests and tools. */
export function memoryFs(files: Readonly<Record<string, string>>): ProjectFs {
  return {
    readText: (p) => Promise.resolve(files[p]),
    isFile: (p) => Promise.resolve(p in files),
  };
}
