export type { ExportInput, ExportWarning } from './types.js';
export { toComposeForEngine } from './compose.js';
export {
  toSwarmStack,
  GATEWAY_SERVICE,
  STACK_FILE_VERSION,
  type SwarmGateway,
  type SwarmStack,
} from './swarm.js';
export {
  toKubernetes,
  kustomization,
  fileNameOf,
  type K8sObject,
  type KubernetesExport,
} from './kubernetes/index.js';
export { assertValid, problemOf } from './kubernetes/validate.js';
export { assertNoHostProcesses, oneShotServices, serviceImage } from './names.js';
