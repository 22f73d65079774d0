/** The image `orch deploy --target swarm` builds to run orch's gateway as a Swarm service. */
export function gatewayImageName(version: string, contentTag?: string): string {
  return `orch-gateway:${contentTag ?? version}`;
}
