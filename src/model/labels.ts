/** Labels orch puts on everything it creates (contract §4). Labels are the source of truth. */
export const Label = {
  project: 'dev.orch.project',
  service: 'dev.orch.service',
  replica: 'dev.orch.replica',
  configHash: 'dev.orch.config-hash',
} as const;
