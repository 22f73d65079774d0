import { basename, dirname, join } from 'node:path';
import type { Project } from '../../model/project.js';
import type { Clock, DockerPort } from '../ports.js';
import type { ReplicaTracker } from '../engine/replica-tracker.js';
import { ImagePreparer } from '../engine/images.js';
import { runAction, initialChanges, type ChangedPath, type WatchTargets } from './actions.js';
import { Debouncer, DEFAULT_DEBOUNCE, type DebounceTiming } from './debounce.js';
import type { WatchOutcome } from '../../model/events.js';
import { errorText } from './error-text.js';
import { compileRule, prunable, route, type CompiledRule } from './match.js';
import { describePlan, diffProjects, type ProjectPlan } from './plan.js';
import { keepAutoscaledCounts } from '../autoscale/live-edit.js';
import type { FsChange, HostFilesPort, WatchPort, WatchSubscription } from './ports.js';
import type { RollOptions } from '../reconciler/rollout.js';
import { dockerignoreLines } from '../ignore-patterns.js';

/** What the watcher asks of the running stack (the Reconciler implements it): plans go there to be applied. */
export interface WatchSession {
  readonly current: Project;
  readonly tracker: ReplicaTracker;
  restartService(service: string, signal: AbortSignal): Promise<void>;
  rollService(service: string, signal: AbortSignal, opts?: RollOptions): Promise<void>;
  applyProject(next: Project, signal: AbortSignal, opts?: { plan?: ProjectPlan }): Promise<ProjectPlan>;
}

export interface StartWatchOptions {
  readonly session: WatchSession;
  readonly docker: DockerPort;
  readonly clock: Clock;
  readonly watcher: WatchPort;
  readonly files: HostFilesPort;
  /** Loads and validates the project again; `read` lists every file that took (.env, env_files). */
  readonly reload: () => Promise<{ project: Project; read: readonly string[] }>;
  /** Files the running project was loaded from (project files, .env, env_files). */
  readonly projectFiles: readonly string[];
  readonly onEvent: (e: WatchOutcome) => void;
  readonly signal: AbortSignal;
  readonly timing?: DebounceTiming;
  readonly onBuildLine?: (service: string, line: string) => void;
}

export interface WatchHandle {
  /** Resolves once every watch is subscribed (and initial syncs are done). */
  readonly ready: Promise<void>;
  /** Resolves when every action under way is done (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const PROJECT = '\0project';

/**
 * `up --watch`: file changes below `develop.watch` paths become debounced actions on the running
 * replicas, and edits of the project file (or its .env / env_files) are re-validated, diffed per
 * service and applied. Actions on one service run one after another; a project edit waits for
 * every action under way and holds later ones until it is applied.
 */
export function startWatch(o: StartWatchOptions): WatchHandle {
  const lifetime = new AbortController();
  const signal = AbortSignal.any([o.signal, lifetime.signal]);
  let rules: CompiledRule[] = [];
  let projectFiles = new Set(o.projectFiles);
  let rulesSub: WatchSubscription | undefined;
  let projectSub: WatchSubscription | undefined;
  const serviceTails = new Map<string, Promise<unknown>>();
  let projectTail: Promise<unknown> = Promise.resolve();

  const targets = watchTargets(o, signal);
  const forService = (service: string, fn: () => Promise<void>): Promise<void> => {
    const p = Promise.all([serviceTails.get(service), projectTail]).then(fn);
    serviceTails.set(
      service,
      p.catch(() => undefined),
    );
    return p;
  };
  const forProject = (fn: () => Promise<void>): Promise<void> => {
    const p = Promise.all([projectTail, ...serviceTails.values()]).then(fn);
    projectTail = p.catch(() => undefined);
    return p;
  };

  const runRule = (rule: CompiledRule, changes: readonly ChangedPath[]): Promise<void> =>
    forService(rule.service, async () => {
      const t0 = o.clock.now();
      const action = rule.rule.action;
      // A rule on a single file matches it with an empty relative path: name the file itself.
      const rels = [...new Set(changes.map((c) => c.rel || basename(rule.rule.path)))];
      o.onEvent({
        type: 'watch',
        phase: 'begin',
        service: rule.service,
        action,
        changed: rels.slice(0, 3),
        more: Math.max(0, rels.length - 3),
      });
      try {
        const detail = await runAction(rule, changes, targets, o.files, signal);
        o.onEvent({
          type: 'watch',
          phase: 'done',
          service: rule.service,
          action,
          detail,
          ms: o.clock.now() - t0,
        });
      } catch (e) {
        if (signal.aborted) return;
        o.onEvent({
          type: 'watch',
          phase: 'failed',
          service: rule.service,
          action,
          reason: errorText(e),
          ms: o.clock.now() - t0,
        });
      }
    });

  const onProjectChange = (): Promise<void> =>
    forProject(async () => {
      const t0 = o.clock.now();
      let next: Project;
      try {
        const loaded = await o.reload();
        next = keepAutoscaledCounts(o.session.current, loaded.project);
        if (next.name !== o.session.current.name)
          throw new Error(
            `the project name changed (${o.session.current.name} → ${next.name}); run \`orch down\` and \`orch up\` to move`,
          );
        if (!sameSet(projectFiles, loaded.read)) {
          projectFiles = new Set(loaded.read);
          await subscribeProject();
        }
      } catch (e) {
        o.onEvent({ type: 'reloaded', phase: 'invalid', reason: errorText(e), ms: o.clock.now() - t0 });
        return;
      }
      const plan = diffProjects(o.session.current, next);
      const notes = [
        ...(plan.gatewayChanged
          ? [
              o.session.current.orch.gateway && next.orch.gateway
                ? 'x-orch.gateway port, host or timeout changed: the gateway moves to it'
                : 'x-orch.gateway was added or removed: restart `orch up` to apply it',
            ]
          : []),
        ...(plan.watchChanged ? ['develop.watch rules reloaded'] : []),
      ];
      o.onEvent({ type: 'reloaded', phase: 'plan', plan: describePlan(plan), notes });
      try {
        // Also with no service changed: the new project (routes, smoke, probes) becomes current.
        await o.session.applyProject(next, signal, { plan });
        if (plan.watchChanged) await subscribeRules(o.session.current);
        o.onEvent({ type: 'reloaded', phase: 'applied', plan: describePlan(plan), ms: o.clock.now() - t0 });
      } catch (e) {
        if (!signal.aborted)
          o.onEvent({ type: 'reloaded', phase: 'failed', reason: errorText(e), ms: o.clock.now() - t0 });
      }
    });

  const debouncer = new Debouncer<string, ChangedPath>(
    o.clock,
    o.timing ?? DEFAULT_DEBOUNCE,
    async (key, items) => {
      if (key === PROJECT) return onProjectChange();
      const rule = rules.find((r) => ruleKey(r) === key);
      if (rule) await runRule(rule, items);
    },
    signal,
  );

  const onChange = (c: FsChange): void => {
    if (projectFiles.has(c.path)) debouncer.add(PROJECT, { path: c.path, rel: c.path, kind: c.kind });
    for (const hit of route(rules, c.path))
      debouncer.add(ruleKey(hit.rule), { path: c.path, rel: hit.rel, kind: c.kind });
  };
  const onError = (e: Error): void => o.onEvent({ type: 'watch', phase: 'error', message: e.message });

  const subscribeRules = async (project: Project): Promise<void> => {
    await rulesSub?.close();
    rules = await compileRules(project, o.files);
    const paths = [...new Set(rules.map((r) => r.rule.path))];
    rulesSub =
      paths.length > 0
        ? o.watcher.watch(paths, { ignored: (p) => prunable(rules, p), onChange, onError })
        : undefined;
    await rulesSub?.ready;
  };
  const subscribeProject = async (): Promise<void> => {
    await projectSub?.close();
    const files = projectFiles;
    // Directories, not the files: a file that does not exist yet (.env) or is replaced by an
    // editor's rename is still seen.
    const dirs = new Set([...files].map((f) => dirname(f)));
    projectSub = o.watcher.watch([...dirs], {
      ignored: (p) => !dirs.has(p) && !files.has(p),
      onChange,
      onError,
    });
    await projectSub.ready;
  };

  const ready = (async () => {
    const project = o.session.current;
    await Promise.all([subscribeRules(project), subscribeProject()]);
    o.onEvent({
      type: 'watch',
      phase: 'watching',
      services: [...new Set(rules.map((r) => r.service))],
      rules: rules.length,
      projectFiles: [...projectFiles],
    });
    for (const r of rules)
      if (r.rule.initialSync && r.rule.action.startsWith('sync')) {
        const changes = await initialChanges(r, o.files);
        if (changes.length > 0) await runRule(r, changes);
      }
  })();
  ready.catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));

  return {
    ready,
    async idle() {
      await debouncer.idle();
      await Promise.allSettled([projectTail, ...serviceTails.values()]);
    },
    async close() {
      lifetime.abort();
      await ready.catch(() => undefined);
      await Promise.all([rulesSub?.close(), projectSub?.close()]);
    },
  };
}

function ruleKey(r: CompiledRule): string {
  return `${r.service}\0${r.index}`;
}

function sameSet(a: ReadonlySet<string>, b: readonly string[]): boolean {
  return a.size === new Set(b).size && b.every((x) => a.has(x));
}

async function compileRules(project: Project, files: HostFilesPort): Promise<CompiledRule[]> {
  const out: CompiledRule[] = [];
  for (const s of Object.values(project.services)) {
    // `reload: self`: the process reloads on its own changes; a restart would only interrupt it.
    if (s.orch.process?.reload === 'self') continue;
    for (const [i, rule] of s.watch.entries()) {
      const ignoreText =
        rule.action === 'rebuild' && s.build
          ? await files.readText(join(s.build.context, '.dockerignore'))
          : undefined;
      out.push(compileRule(s, i, rule, ignoreText !== undefined ? dockerignoreLines(ignoreText) : undefined));
    }
  }
  return out;
}

function watchTargets(o: StartWatchOptions, signal: AbortSignal): WatchTargets {
  return {
    replicas: (service) =>
      o.session.tracker
        .of(service)
        .filter((r) => r.state === 'running')
        .map((r) => ({ id: r.id, name: r.name })),
    copy: (id, files, deletions) => o.docker.copyToContainer(id, files, deletions),
    exec: (id, cmd) => {
      const r = o.session.tracker.all().find((x) => x.id === id);
      if (!r) return Promise.reject(new Error(`replica ${id.slice(0, 12)} is gone`));
      return o.session.tracker.runtimeOf(r).exec(id, cmd, { timeoutMs: 60_000, signal });
    },
    restart: (service, s) => o.session.restartService(service, s),
    rebuild: async (service, s) => {
      const project = o.session.current;
      const spec = project.services[service];
      if (!spec?.build) throw new Error(`service "${service}" has no \`build:\` to rebuild`);
      const t0 = o.clock.now();
      await new ImagePreparer(project, o.docker, {
        forceBuild: true,
        onEvent: () => undefined,
        ...(o.onBuildLine ? { onBuildLine: o.onBuildLine } : {}),
      }).prepare(spec);
      const built = o.clock.now() - t0;
      await o.session.rollService(service, s);
      return `built in ${(built / 1000).toFixed(1)}s, rolled ${spec.replicas} replica${spec.replicas === 1 ? '' : 's'}`;
    },
  };
}
