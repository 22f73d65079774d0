import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { OrchError } from '../errors/index.js';

/**
 * A positional of `orch logs` that names a project file rather than a service: the compose habit
 * `logs -f compose.yaml`, where `-f` is --follow here and the file lands among the services.
 */
export function looksLikeProjectFile(arg: string, cwd: string): boolean {
  if (/\.ya?ml$/i.test(arg)) return true;
  try {
    return statSync(resolve(cwd, arg)).isFile();
  } catch {
    return false;
  }
}

export function fileGivenAsService(arg: string, follow: boolean): OrchError {
  return new OrchError(
    'USAGE',
    `\`${arg}\` is a file, not a service: for \`orch logs\`, -f means --follow, not --file`,
    { hint: `give the project file as --file: orch logs${follow ? ' -f' : ''} --file ${arg}` },
  );
}
