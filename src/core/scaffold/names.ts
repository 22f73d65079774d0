/**
 * A new service's name doubles as a folder name, a DNS name on the project network and a gateway
 * path, so it is stricter than compose's `[a-zA-Z0-9._-]+`: lower case (DNS is case-insensitive and
 * compose lower-cases project names), no dots (no `..`, no hidden folders), at most 63 characters.
 */
const VALID = /^[a-z0-9][a-z0-9_-]*$/;
const MAX = 63;

/** Why `name` cannot be a new service's name, or undefined when it can. */
export function serviceNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the service name is empty';
  if (/[/\\]/.test(name)) return `\`${name}\` contains a path separator`;
  if (name.includes('..')) return `\`${name}\` contains \`..\``;
  if (/[A-Z]/.test(name)) return `\`${name}\` has upper-case letters (try \`${name.toLowerCase()}\`)`;
  if (name.length > MAX) return `\`${name}\` is longer than ${MAX} characters`;
  if (!VALID.test(name))
    return `\`${name}\` must start with a-z or 0-9 and hold only a-z, 0-9, \`_\` and \`-\``;
  return undefined;
}
