// oclif's subpath exports, not its root: the root index also loads help, semver and more, ~20 ms
// of every command's start-up.
import { Command } from '@oclif/core/command';
import * as Errors from '@oclif/core/errors';
import * as Flags from '@oclif/core/flags';
import { ExitCode, isOrchError, OrchError } from '../errors/index.js';
import { colorEnabled, makeStyle } from '../ui/style.js';
import { errorEnvelope, renderError, renderInternalError, type ErrorEnvelope } from '../ui/errors.js';
import { tolerateClosedOutput } from './interrupt.js';

/**
 * What every orch command shares: project flags, --json/--debug, and the one place where errors
 * become a short paragraph on stderr and a documented exit code (never a stack without --debug).
 *
 * --json is oclif's `enableJsonFlag` pattern: a command that reports state sets
 * `static enableJsonFlag = true` and returns its typed result from `run()`; oclif hands that
 * result to `logJson`, which prints it as the one JSON document on stdout. With --json an error is
 * one `{"error": {...}}` object on stderr instead of the paragraph, with the same exit code.
 */
export abstract class OrchCommand extends Command {
  /** A result to print even though the command fails (a smoke run with a failed check). */
  private failedResult: { value: unknown } | undefined;

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

  /** stdout is data: human output, which --json replaces with the returned result. */
  protected out(text: string): void {
    if (this.jsonEnabled()) return;
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** stderr is narration. */
  protected say(text: string): void {
    process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** The --json document: plain JSON (no colour: it is data), whatever the terminal. */
  protected override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  protected override toErrorJson(err: unknown): ErrorEnvelope {
    const envelope = errorEnvelope(asOrchError(err));
    if (this.debugMode() && err instanceof Error && err.stack) envelope.error.stack = err.stack;
    return envelope;
  }

  /**
   * Ends the command with `err` but keeps its result: with --json the result is still the stdout
   * document (and the error object goes to stderr), so a script reads what failed.
   */
  protected failWith(result: unknown, err: Error): never {
    this.failedResult = { value: result };
    throw err;
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    // `this.exit()` is oclif's way to end early with a code.
    if (err instanceof Errors.ExitError) {
      process.exitCode = err.oclif.exit;
      return;
    }
    // It did parse, and the parse failed: no "did not parse its arguments" warning (NODE_ENV=test).
    if (isUsageError(err)) this.parsed = true;
    if (this.jsonEnabled()) {
      if (this.failedResult) this.logJson(this.failedResult.value);
      // One line, so it stays one parseable object after any narration on stderr.
      process.stderr.write(`${JSON.stringify(this.toErrorJson(err))}\n`);
      process.exitCode = asOrchError(err).exitCode;
      return;
    }
    const style = this.errStyle();
    if (isOrchError(err)) {
      this.say(renderError(err, style));
      if (this.debugMode() && err.stack) this.say(err.stack);
      process.exitCode = err.exitCode;
      return;
    }
    if (isUsageError(err)) {
      this.say(renderError(asOrchError(err), style));
      process.exitCode = ExitCode.usage;
      return;
    }
    this.say(renderInternalError(err, this.debugMode(), style));
    process.exitCode = ExitCode.internal;
  }
}

/** oclif's own flag/argument parsing errors are usage errors. */
function isUsageError(err: unknown): err is Error {
  return err instanceof Errors.CLIError || isParseError(err);
}

/** What orch reports for any error: its own as they are, parse errors as usage, the rest internal. */
function asOrchError(err: unknown): OrchError {
  if (isOrchError(err)) return err;
  if (isUsageError(err)) return new OrchError('USAGE', err.message.split('\n')[0] ?? err.message);
  const message = err instanceof Error ? err.message : String(err);
  return new OrchError('INTERNAL', `internal error: ${message}`, { cause: err });
}

function isParseError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'parse' in err &&
    typeof (err as { parse?: unknown }).parse === 'object'
  );
}
