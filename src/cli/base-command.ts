// oclif's subpath exports, not its root: the root index also loads help, semver and more, ~20 ms
// of every command's start-up.
import { Command } from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import * as Flags from '@oclif/core/flags';
import { ExitCode, isOrchError, OrchError } from '../errors/index.js';
import { colorEnabled, makeStyle } from '../ui/style.js';
import { renderError, renderInternalError } from '../ui/errors.js';
import { tolerateClosedOutput } from './interrupt.js';

/**
 * What every orch command shares: project flags, --json/--debug, and the one place where errors
 * become a short paragraph on stderr and a documented exit code (never a stack without --debug).
 */
export abstract class OrchCommand extends Command {
  static override baseFlags = {
    file: Flags.string({
      char: 'f',
      multiple: true,
      description: 'project file (repeatable: later files override earlier ones)',
      helpGroup: 'PROJECT',
    }),
    'project-name': Flags.string({ char: 'p', description: 'project name', helpGroup: 'PROJECT' }),
    'env-file': Flags.string({
      multiple: true,
      description: 'file of variables for interpolation (default: .env beside the project file)',
      helpGroup: 'PROJECT',
    }),
    profile: Flags.string({
      multiple: true,
      description: 'enable services of this profile',
      helpGroup: 'PROJECT',
    }),
    debug: Flags.boolean({ description: 'show stack traces and engine detail', helpGroup: 'GLOBAL' }),
    'no-color': Flags.boolean({
      description: 'plain output (also when NO_COLOR is set)',
      helpGroup: 'GLOBAL',
    }),
  };

  override async init(): Promise<void> {
    await super.init();
    tolerateClosedOutput();
  }

  protected debugMode(): boolean {
    return this.argv.includes('--debug');
  }

  protected noColor(): boolean {
    return this.argv.includes('--no-color');
  }

  protected errStyle() {
    return makeStyle(colorEnabled(process.stderr, this.noColor()));
  }

  protected outStyle() {
    return makeStyle(colorEnabled(process.stdout, this.noColor()));
  }

  /** stdout is data. */
  protected out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** stderr is narration. */
  protected say(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected printJson(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    const style = this.errStyle();
    if (isOrchError(err)) {
      this.say(renderError(err, style));
      if (this.debugMode() && err.stack) this.say(err.stack);
      process.exitCode = err.exitCode;
      return;
    }
    // oclif's own flag/argument parsing errors are usage errors.
    if (err instanceof Errors.CLIError || isParseError(err)) {
      const usage = new OrchError('USAGE', err.message.split('\n')[0] ?? err.message);
      this.say(renderError(usage, style));
      process.exitCode = ExitCode.usage;
      return;
    }
    // `this.exit()` is oclif's way to end early with a code.
    if (err instanceof Errors.ExitError) {
      process.exitCode = err.oclif.exit;
      return;
    }
    this.say(renderInternalError(err, this.debugMode(), style));
    process.exitCode = ExitCode.internal;
  }
}

function isParseError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'parse' in err &&
    typeof (err as { parse?: unknown }).parse === 'object'
  );
}
