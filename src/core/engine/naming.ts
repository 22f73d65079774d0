import type { Project, ServiceSpec } from '../../model/project.js';

/** compose v2 naming, so `docker ps` reads the same for people coming from compose. */
export function containerName(project: Project, service: ServiceSpec, replica: number): string {
  if (service.containerName && service.replicas === 1) return service.containerName;
  return `${project.name}-${service.name}-${replica}`;
}

/** The tag a service's `build:` produces when it names no `image:`. */
export function imageRef(project: Project, service: ServiceSpec): string {
  if (service.image) return service.image;
  return `${project.name}-${service.name}`;
}
