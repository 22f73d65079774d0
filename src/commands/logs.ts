import { setMaxListeners } from 'node:events';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { fileGivenAsService, looksLikeProjectFile } from '../cli/logs-file-arg.js';
import { engineDeps } from '../cli/composition.js';
import { onInterrupt } from '../cli/interrupt.js';
import { OrchError } from '../errors/index.js';
import { msToTs, parseSince } from '../core/logs/query.js';
import { followLogs, type LogsRequest } from '../core/logs/session.js';
import type { LogRecord } from '../core/logs/types.js';
import { LineWriter } from '../ui/log-view.js';
import { logsDeps, logsFormatter, printLogs } from '../cli/logs-print.js';

export default class Logs extends OrchCommand {
  static override summary = 'Merged logs of all replicas, in time order.';
  static override description =
    'Reads from the engine (no supervisor needed), including exited replicas. What is read is also kept in <project dir>/.orch/logs/ so --trace works after the containers are gone. Here -f means --follow; give the project file as --file. Ctrl-C ends --follow with exit 0.';
  static override examples = [
    '<%= config.bin %> logs',
    '<%= config.bin %> logs api -f --tail 20',
    '<%= config.bin %> logs --since 10m --grep "error|warn"',
    '<%= config.bin %> logs --trace 4bf92f3577b34da6a3ce929d0e0e4736',
  ];
  // `-f` is --follow here (as in compose's `logs -f`), so --file has no short form on this command.
  static override baseFlags = {
    ...OrchCommand.baseFlags,
    file: Flags.string({
      multiple: true,
      description: 'project file (repeatable); no -f here, that is --follow',
      helpGroup: 'PROJECT',
    }),
  };
  static override args = { services: Args.string({ description: 'only these services' }) };
  static override strict = false;
  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'keep printing new lines until Ctrl-C' }),
    tail: Flags.integer({ description: 'last N lines of each replica', min: 0 }),
    since: Flags.string({ description: 'only lines since a duration ago (10m, 1h30m) or a time' }),
    timestamps: Flags.boolean({ char: 't', description: "show the engine's timestamp of each line" }),
    grep: Flags.string({ description: 'only lines matching this regular expression' }),
    trace: Flags.string({
      description: 'every line carrying this request or trace id (engine and stored logs)',
    }),
  };
  // Streams: --json is one object per line (ts, service, replica, stream, line, ids), printed as
  // they come, so run() returns nothing for the envelope to print.
  static override enableJsonFlag = true;

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Logs);
    const services = argv.map(String);
    const fileArg = services.find((s) => looksLikeProjectFile(s, process.cwd()));
    let project;
    try {
      ({ project } = await loadFromFlags(flags));
    } catch (e) {
      // "no project file found" would hide that the file was given where a service goes.
      if (fileArg !== undefined) throw fileGivenAsService(fileArg, flags.follow);
      throw e;
    }
    for (const s of services) {
      if (s in project.services) continue;
      if (s === fileArg) throw fileGivenAsService(s, flags.follow);
      throw new OrchError('USAGE', `no such service: ${s}`);
    }
    const req: LogsRequest = {
      project: project.name,
      services,
      ...(flags.tail === undefined ? {} : { tail: flags.tail }),
      ...(flags.since === undefined ? {} : { sinceTs: sinceTs(flags.since) }),
      ...(flags.grep === undefined ? {} : { grep: regex(flags.grep) }),
      ...(flags.trace === undefined ? {} : { traceId: flags.trace }),
    };
    // No separate ping: listing the project's containers is the first engine call, and an engine
    // that does not answer fails it the same way (exit 3).
    const deps = logsDeps(project, engineDeps({ projectDir: project.projectDir }), (text) => this.say(text));
    const fmt = { json: this.jsonEnabled(), style: this.outStyle(), timestamps: flags.timestamps };
    if (!flags.follow) return printLogs(deps, req, fmt, process.stdout);

    const writer = new LineWriter(process.stdout);
    let format: (r: LogRecord) => string = logsFormatter(fmt, []);
    const setFormat = (replicas: readonly { service: string; replica: number }[]): void => {
      format = logsFormatter(fmt, replicas);
    };
    const interrupt = onInterrupt();
    // One listener per followed container (and the event stream) on the same signal.
    setMaxListeners(0, interrupt.signal);
    try {
      await followLogs(deps, req, {
        signal: interrupt.signal,
        onHistoric: (records, sources) => {
          setFormat(sources);
          return writer.writeAll(records, format);
        },
        onLive: (records) => {
          for (const r of records) writer.push(format(r));
        },
      });
      await writer.drainOut();
    } finally {
      interrupt.dispose();
    }
  }
}

function sinceTs(text: string): string {
  const ms = parseSince(text, Date.now());
  if (ms === undefined)
    throw new OrchError('USAGE', `--since: cannot read "${text}" (a duration like 10m, or a time)`);
  return msToTs(ms);
}

function regex(text: string): RegExp {
  try {
    return new RegExp(text);
  } catch (e) {
    throw new OrchError('USAGE', `--grep: ${(e as Error).message}`);
  }
}
