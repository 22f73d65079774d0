import { ExitCode } from './exit-codes.js';

/**
 * Every error orch reports on purpose, kept as data so messages, hints and exit codes stay
 * consistent and documented (README "Exit codes").
 */
export const catalogue = {
  PROJECT_NOT_FOUND: {
    exit: ExitCode.usage,
    hint: 'create orch.yaml (or compose.yaml) here, or pass -f/--file PATH',
  },
  FILE_UNREADABLE: { exit: ExitCode.usage, hint: 'check the path and its permissions' },
  PROJECT_INVALID: { exit: ExitCode.usage, hint: 'fix the problems listed above; `orch validate` re-checks' },
  USAGE: { exit: ExitCode.usage, hint: 'see `orch COMMAND --help`' },
  ENGINE_UNREACHABLE: {
    exit: ExitCode.noEngine,
    hint: 'start Docker (`sudo dockerd &`, or Docker Desktop), or set DOCKER_HOST; `orch doctor` checks the set-up',
  },
  IMAGE_UNAVAILABLE: {
    exit: ExitCode.stackFailed,
    hint: 'build or load the image locally (`docker build -t NAME .`), or check that the registry is reachable',
  },
  BUILD_FAILED: { exit: ExitCode.stackFailed, hint: 'the build output above says why' },
  STACK_FAILED: { exit: ExitCode.stackFailed, hint: '`orch logs SERVICE` and `orch ps` show more' },
  NOT_RUNNING: { exit: ExitCode.usage, hint: 'start it with `orch up` or `orch up -d`' },
  PORT_TAKEN: { exit: ExitCode.usage, hint: 'stop what uses the port, or choose another one' },
  INTERRUPTED: { exit: ExitCode.interrupted, hint: '' },
  INTERNAL: {
    exit: ExitCode.internal,
    hint: 'this is a bug in orch: please report it with the output of the same command run with --debug',
  },
} as const satisfies Record<string, { exit: number; hint: string }>;

export type ErrorCode = keyof typeof catalogue;
