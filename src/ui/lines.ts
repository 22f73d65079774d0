import type { ChalkInstance } from 'chalk';

/** A finished step: `✔ text`, green where colour is on. */
export function success(style: ChalkInstance, text: string): string {
  return style.green(`✔ ${text}`);
}

/** Secondary detail (build output, where artifacts went). */
export function detail(style: ChalkInstance, text: string): string {
  return style.dim(text);
}

/** `orch doctor`: one line per check, with its hint below when it failed. */
export function renderChecks(
  checks: readonly { check: string; ok: boolean; detail: string; hint?: string }[],
  style: ChalkInstance,
): string {
  return checks
    .flatMap((c) => [
      `${c.ok ? style.green('✔') : style.red('✘')} ${c.check}: ${c.detail}`,
      ...(c.hint ? [style.dim(`  hint: ${c.hint}`)] : []),
    ])
    .join('\n');
}
