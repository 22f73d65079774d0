import { parseArgs } from 'node:util';
import { printVersion } from './version.js';

/**
 * Answers `orch --version` and a plain `orch ps` without oclif: its start-up (config, manifest,
 * flag parsing, the command's module graph) is ~100 ms of a command that needs ~20 ms of work.
 * Only the common, happy case is answered here; anything else (another flag, --help, no cached
 * project model, an error of any kind) returns false and oclif runs the command as usual, so
 * every message and exit code stays oclif's and the command's own. Measured in bench/cli.
 */
export async function fastPath(argv: readonly string[]): Promise<boolean> {
  try {
    if (argv.length === 1 && argv[0] === '--version') return printVersion();
    if (argv[0] === 'ps') return await ps(argv.slice(1));
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
      'project-name': { type: 'string', short: 'p' },
      'env-file': { type: 'string', multiple: true },
      profile: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'no-color': { type: 'boolean' },
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
