import { setMaxListeners } from 'node:events';
import { Args, Flags } from '@oclif/core';
import { OrchCommand } from '../cli/base-command.js';
import { loadFromFlags } from '../cli/load-project.js';
import { onInterrupt } from '../cli/interrupt.js';
import { runningStack } from '../cli/running-stack.js';
import { parseSince } from '../core/logs/query.js';
import { OrchError } from '../errors/index.js';
import { eventService, type OrchEvent } from '../model/events.js';
import { eventLine } from '../ui/event-view.js';

export default class Events extends OrchCommand {
  static override summary =
    'Follow what happens to the running stack: starts, deaths, health, restarts, gateway.';
  static override description =
    'Follows the foreground `orch up` or the background supervisor of `orch up -d` until Ctrl-C (exit 0) or until the stack stops. Without --json, one line per event: TIME TYPE SERVICE-REPLICA key=value...';
  static override strict = false;
  static override args = { services: Args.string({ description: 'only events of these services' }) };
  static override examples = [
    '<%= config.bin %> events',
    '<%= config.bin %> events api --json',
    '<%= config.bin %> events --since 10m',
  ];
  // Streams: --json is one object per line (time, type, service, replica, ...), printed as they
  // come, so run() returns nothing for the envelope to print.
  static override enableJsonFlag = true;
  static override flags = {
    since: Flags.string({
      description: 'replay the kept events since a duration ago (10m, 1h30m) or a time',
    }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Events);
    const { project } = await loadFromFlags(flags);
    const services = new Set(argv.map(String));
    for (const s of services)
      if (!(s in project.services))
        throw new OrchError('USAGE', `no such service: ${s}`, {
          hint: `services: ${Object.keys(project.services).join(', ')}`,
        });
    const since = flags.since === undefined ? undefined : sinceMs(flags.since);
    const client = await runningStack(project);
    const style = this.outStyle();
    const json = this.jsonEnabled();
    const show = (e: OrchEvent): void => {
      if (services.size > 0) {
        const s = eventService(e);
        if (s === undefined || !services.has(s)) return;
      }
      process.stdout.write(`${json ? JSON.stringify(e) : eventLine(e, style)}\n`);
    };
    const interrupt = onInterrupt();
    setMaxListeners(0, interrupt.signal);
    try {
      await client.events((e) => show(e as OrchEvent), interrupt.signal, since);
    } finally {
      interrupt.dispose();
    }
  }
}

function sinceMs(text: string): number {
  const ms = parseSince(text, Date.now());
  if (ms === undefined)
    throw new OrchError('USAGE', `--since: cannot read "${text}" (a duration like 10m, or a time)`);
  return ms;
}
