import { Chalk, type ChalkInstance } from 'chalk';

/** Colour only on a TTY, and never when NO_COLOR is set or --no-color was given. */
export function colorEnabled(stream: NodeJS.WriteStream, noColorFlag = false): boolean {
  if (noColorFlag) return false;
  if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') return false;
  if (process.env['FORCE_COLOR'] !== undefined && process.env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true;
}

export function makeStyle(enabled: boolean): ChalkInstance {
  return new Chalk({ level: enabled ? 1 : 0 });
}
