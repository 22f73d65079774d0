import { parseArgs } from 'node:util';

/**
 * Answers a plain `orch ps` and `orch logs` without --follow without oclif (bin/run.js answers
 * `--version` itself): oclif's start-up (config, manifest, flag parsing, the command's module
 * graph) is ~100 ms of a command that needs ~20 ms of work.
 * Only the common, happy case is answered here; anything else (another flag, --help, no cached
 * project model, an error of any kind) returns false and oclif runs the command as usual, so
 * every message and exit code stays oclif's and the command's own. Measured in bench/cli.
 */
export async function fastPath(argv: readonly string[]): Promise<boolean> {
  try {
    if (argv[0] === 'ps') return await ps(argv.slice(1));
    if (argv[0] === 'logs') return await logs(argv.slice(1));
  } catch {
    // Whatever went wrong, oclif does it again and reports it properly.
  }
  return false;
}

async function ps(args: readonly string[]): Promise<boolean> {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      ...projectOptions,
      json: { type: 'boolean' },
    },
  });
  const [{ cachedLoad }, { nodeProjectFs }, { loadOptionsOf }] = await Promise.all([
    import('./project-cache.js'),
    import('../adapters/fs.js'),
    import('./load-project.js'),
  ]);
  const loaded = await cachedLoad(loadOptionsOf(values), nodeProjectFs);
  if (!loaded) return false;
  const { psRows } = await import('./ps-rows.js');
  const rows = await psRows(loaded.project);
  const { tolerateClosedOutput } = await import('./interrupt.js');
  tolerateClosedOutput();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return true;
  }
  const [{ renderPs }, { colorEnabled, makeStyle }] = await Promise.all([
    import('../ui/ps-view.js'),
    import('../ui/style.js'),
  ]);
  const text = renderPs(rows, Date.now(), makeStyle(colorEnabled(process.stdout, values['no-color'])));
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return true;
}

/** The project flags every command takes, as the fast path reads them. */
const projectOptions = {
  'project-name': { type: 'string', short: 'p' },
  'env-file': { type: 'string', multiple: true },
  profile: { type: 'string', multiple: true },
  'no-color': { type: 'boolean' },
} as const;

/**
 * `orch logs [services] [--tail N] [-t]`: read, printed, stored, as the command does (the same
 * code, cli/logs-print.ts). Anything else (-f is --follow here, --since, --grep, --trace, --json,
 * a name that is no service) goes to oclif. Only the read can fail, before anything is printed.
 */
async function logs(args: readonly string[]): Promise<boolean> {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      ...projectOptions,
      file: { type: 'string', multiple: true },
      tail: { type: 'string' },
      timestamps: { type: 'boolean', short: 't' },
    },
  });
  // oclif's integer flag with min 0: anything else is its usage error to report.
  if (values.tail !== undefined && !/^\d+$/.test(values.tail)) return false;
  const [{ cachedLoad }, { nodeProjectFs }, { loadOptionsOf }] = await Promise.all([
    import('./project-cache.js'),
    import('../adapters/fs.js'),
    import('./load-project.js'),
  ]);
  const loaded = await cachedLoad(loadOptionsOf(values), nodeProjectFs);
  if (!loaded) return false;
  const { project } = loaded;
  if (positionals.some((s) => !(s in project.services))) return false;
  const [{ logsDeps, printLogs }, { engineReader }, { systemClock }, { colorEnabled, makeStyle }] =
    await Promise.all([
      import('./logs-print.js'),
      import('./engine-reader.js'),
      import('../adapters/clock.js'),
      import('../ui/style.js'),
    ]);
  const { tolerateClosedOutput } = await import('./interrupt.js');
  tolerateClosedOutput();
  const say = (text: string): void => void process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  await printLogs(
    logsDeps(project, { runtimes: engineReader(project.projectDir).runtimes, clock: systemClock }, say),
    {
      project: project.name,
      services: positionals,
      ...(values.tail === undefined ? {} : { tail: Number(values.tail) }),
    },
    {
      json: false,
      style: makeStyle(colorEnabled(process.stdout, values['no-color'])),
      timestamps: values.timestamps === true,
    },
    process.stdout,
  );
  return true;
}
