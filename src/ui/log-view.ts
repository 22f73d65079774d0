import type { ChalkInstance } from 'chalk';

const palette = [
  'cyan',
  'magenta',
  'green',
  'yellow',
  'blue',
  'redBright',
  'cyanBright',
  'magentaBright',
] as const;

/** A colour per service that stays the same across runs (hash of the name, not arrival order). */
export function serviceColor(service: string, style: ChalkInstance): ChalkInstance {
  let h = 0;
  for (const ch of service) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return style[palette[h % palette.length] ?? 'cyan'];
}

export function logPrefix(service: string, replica: number, width: number, style: ChalkInstance): string {
  const name = `${service}-${replica}`;
  return serviceColor(service, style)(`${name.padEnd(width)} |`);
}
