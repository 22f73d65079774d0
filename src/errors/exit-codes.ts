/** Exit codes of the user-facing contract (shared/docs/contract.md §3). */
export const ExitCode = {
  ok: 0,
  stackFailed: 1,
  usage: 2,
  noEngine: 3,
  internal: 70,
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
