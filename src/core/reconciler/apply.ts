import type { Project, ServiceSpec } from '../../model/project.js';
import { ImagePreparer } from '../engine/images.js';
import { ensureResources, networksUsed, volumesUsed } from '../engine/resources.js';
import type { ProjectPlan } from '../watch/plan.js';
import { inDependencyOrder, startAddedService } from './added.js';
import { removeService, scaleService } from './actions.js';
import { useProject, type StackContext } from './context.js';
import { createAndStart } from './replica-ops.js';
import { rollService, type RollOptions } from './rollout.js';

export interface ApplyOptions extends RollOptions {
  readonly onBuildLine?: (service: string, line: string) => void;
}

/**
 * Applies exactly the plan: removed services go, added ones start, changed ones are recreated
 * (rolled one replica at a time when behind the gateway), scaled ones change count. Services the
 * plan calls unchanged are not touched.
 */
export async function applyPlan(
  ctx: StackContext,
  next: Project,
  plan: ProjectPlan,
  signal: AbortSignal,
  opts: ApplyOptions = {},
): Promise<void> {
  const { docker } = ctx.deps;
  const touched = plan.changes
    .filter((c) => c.kind === 'added' || c.kind === 'recreate')
    .map((c) => c.service);
  const rebuild = new Set(
    plan.changes.filter((c) => c.kind === 'recreate' && c.rebuild).map((c) => c.service),
  );

  // Images and networks first, while the old project still runs untouched: a failing build
  // leaves everything as it was.
  const preparers = [false, true].map(
    (forceBuild) =>
      new ImagePreparer(next, docker, {
        forceBuild,
        onEvent: () => undefined,
        ...(opts.onBuildLine ? { onBuildLine: opts.onBuildLine } : {}),
      }),
  );
  for (const name of touched) {
    const spec = next.services[name];
    // A host process has no image.
    if (spec && ctx.deps.runtimes.of(spec).kind === 'container')
      await preparers[rebuild.has(name) ? 1 : 0]?.prepare(spec);
  }
  await ensureResources(
    next,
    networksUsed(next, touched),
    volumesUsed(next, touched),
    docker,
    () => undefined,
  );

  useProject(ctx, next);
  const added = {
    waitFor: ctx.tracker.waitFor.bind(ctx.tracker),
    createAndStart: (spec: ServiceSpec, n: number) => createAndStart(ctx, spec, n),
    sleep: (ms: number, s: AbortSignal) => ctx.deps.clock.sleep(ms, s),
  };
  for (const c of inDependencyOrder(plan.changes, next)) {
    if (signal.aborted) return;
    switch (c.kind) {
      case 'unchanged':
        break;
      case 'removed':
        await removeService(ctx, c.service);
        opts.onStep?.(`${c.service}: removed`);
        break;
      case 'added': {
        const spec = next.services[c.service];
        if (!spec) break;
        // As `up` would: only once its dependencies meet their depends_on conditions.
        const why = await startAddedService(added, spec, next, signal);
        if (signal.aborted) return;
        ctx.membership.publish(c.service);
        opts.onStep?.(why === undefined ? `${c.service}: added` : `${c.service}: not started: ${why}`);
        break;
      }
      case 'recreate': {
        const spec = next.services[c.service];
        if (!spec) break;
        // Roll the replicas both counts share, then grow or shrink.
        const common: ServiceSpec = { ...spec, replicas: Math.min(c.from, c.to) };
        await rollService(ctx, common, signal, {
          ...opts,
          // Off the gateway, two generations side by side would only do the work twice.
          ...(ctx.membership.routes(c.service) ? {} : { inPlace: true }),
        });
        if (c.from !== c.to) await scaleService(ctx, c.service, c.to);
        break;
      }
      case 'scale':
        await scaleService(ctx, c.service, c.to);
        break;
      default: {
        const never: never = c;
        throw new Error(`unknown change ${JSON.stringify(never)}`);
      }
    }
  }
}
