import type { Project, ServiceSpec } from '../../model/project.js';
import { Label } from '../../model/labels.js';
import { isOrchError, OrchError } from '../../errors/index.js';
import type { DockerPort } from '../ports.js';
import { imageRef } from './naming.js';

export type ImageEvent = {
  type: 'image';
  service: string;
  image: string;
  action: 'present' | 'building' | 'built' | 'pulling' | 'pulled';
};

/**
 * Makes each service's image available once per `up`, however many services share it: build when
 * asked or missing, else use the local image, else pull. Builds run one at a time (two cores).
 */
export class ImagePreparer {
  private readonly pending = new Map<string, Promise<{ ref: string; id: string }>>();
  private buildQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly project: Project,
    private readonly docker: DockerPort,
    private readonly opts: {
      forceBuild: boolean;
      onEvent: (e: ImageEvent) => void;
      onBuildLine?: (service: string, line: string) => void;
    },
  ) {}

  /**
   * The image to run for this service and its content id: containers are recreated when the id
   * changes (a rebuild, a newer pull), as compose does, even though the name stays the same.
   */
  prepareWithId(service: ServiceSpec): Promise<{ ref: string; id: string }> {
    const ref = imageRef(this.project, service);
    let p = this.pending.get(ref);
    if (!p) {
      p = this.make(service, ref);
      this.pending.set(ref, p);
    }
    return p;
  }

  /** The image reference to run for this service. */
  async prepare(service: ServiceSpec): Promise<string> {
    return (await this.prepareWithId(service)).ref;
  }

  private async make(service: ServiceSpec, ref: string): Promise<{ ref: string; id: string }> {
    const emit = (action: ImageEvent['action']): void =>
      this.opts.onEvent({ type: 'image', service: service.name, image: ref, action });
    // One inspect tells both whether the image is here and which content it is.
    const present = await this.docker.imageId(ref);
    const idNow = async (): Promise<{ ref: string; id: string }> => ({
      ref,
      id: (await this.docker.imageId(ref)) ?? ref,
    });
    if (service.build && (this.opts.forceBuild || present === undefined)) {
      const build = service.build;
      const run = async (): Promise<void> => {
        emit('building');
        await this.docker.buildImage(
          {
            context: build.context,
            dockerfile: build.dockerfile,
            tag: ref,
            args: build.args,
            ...(build.target ? { target: build.target } : {}),
            labels: { [Label.project]: this.project.name },
          },
          (line) => this.opts.onBuildLine?.(service.name, line),
        );
        emit('built');
      };
      const queued = this.buildQueue.then(run, run);
      this.buildQueue = queued.catch(() => undefined);
      await queued;
      return idNow();
    }
    if (present !== undefined) {
      emit('present');
      return { ref, id: present };
    }
    emit('pulling');
    try {
      await this.docker.pullImage(ref);
    } catch (e) {
      if (isOrchError(e)) throw e;
      throw new OrchError(
        'IMAGE_UNAVAILABLE',
        `service "${service.name}": image ${ref} is not here and could not be pulled`,
        {
          cause: e,
        },
      );
    }
    emit('pulled');
    return idNow();
  }
}
