/* eslint-disable @typescript-eslint/no-explicit-any -- the tests walk deep into generated objects */
import { describe, expect, it } from 'vitest';
import {
  assertValid,
  oneShotServices,
  problemOf,
  toKubernetes,
  toSwarmStack,
  type ExportInput,
  type K8sObject,
} from '../../../src/core/export/index.js';
import { OrchError } from '../../../src/errors/index.js';
import type { Project } from '../../../src/model/project.js';
import { loadProject, memoryFs } from '../../../src/project/index.js';
import { yamlStream } from '../../../src/ui/export-view.js';

const FILE = '/p/orch.yaml';
const YAML = `
name: demo
services:
  db:
    image: postgres:16
    ports: ["127.0.0.1:5432:5432"]
    volumes: [data:/var/lib/postgresql/data]
    healthcheck: { test: ["CMD-SHELL", "pg_isready"], interval: 2s, retries: 5, start_period: 10s }
    secrets: [pw]
  seed:
    image: busybox
    command: ["sh", "-c", "echo seeded"]
    depends_on: { db: { condition: service_healthy } }
  api:
    image: api:1
    user: "1000:1000"
    environment: { A: "1", B: two }
    ports: ["3000"]
    deploy: { replicas: 3 }
    restart: always
    depends_on:
      db: { condition: service_healthy }
      seed: { condition: service_completed_successfully }
    x-orch:
      probe: { http: { path: /health, port: 3000 }, interval: 500ms }
  worker:
    image: worker:1
    x-orch: { probe: { log: "ready" } }
volumes: { data: {} }
secrets: { pw: { file: ./pw.txt } }
x-orch:
  gateway:
    port: 8080
    routes:
      - { path: /api, service: api, port: 3000, strip_prefix: true }
`;

async function project(text = YAML): Promise<Project> {
  return (await loadProject({ cwd: '/p', files: [FILE], env: {} }, memoryFs({ [FILE]: text }))).project;
}

const input = (p: Project): ExportInput => ({
  project: p,
  files: new Map([['/p/pw.txt', new TextEncoder().encode('s3cret')]]),
  env: {},
});

const find = (objs: readonly K8sObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, any> | undefined;

describe('export kubernetes', () => {
  it('turns services into Deployments, one-shot ones into Jobs, with probes and waiting init containers', async () => {
    const { objects, warnings } = toKubernetes(input(await project()));
    const api = find(objects, 'Deployment', 'api');
    expect(api?.spec.replicas).toBe(3);
    const pod = api?.spec.template.spec;
    const c = pod.containers[0];
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: '/health', port: 3000 }, periodSeconds: 1 });
    expect(c.livenessProbe).toMatchObject({ httpGet: { path: '/health', port: 3000 } });
    expect(c.securityContext).toEqual({ runAsUser: 1000, runAsGroup: 1000 });
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'api-env' } }]);
    expect(pod.initContainers.map((i: { name: string }) => i.name)).toEqual(['wait-for-db', 'wait-for-seed']);
    expect(pod.initContainers[1].command).toContain('job/seed');
    expect(pod.serviceAccountName).toBe('demo-wait-jobs');
    const seed = find(objects, 'Job', 'seed');
    expect(seed?.spec.template.spec.restartPolicy).toBe('Never');
    expect(find(objects, 'Deployment', 'seed')).toBeUndefined();
    const db = find(objects, 'Deployment', 'db')?.spec.template.spec.containers[0];
    expect(db.readinessProbe.exec.command).toEqual(['/bin/sh', '-c', 'pg_isready']);
    expect(db.startupProbe.failureThreshold).toBe(5 + 5);
    expect(find(objects, 'PersistentVolumeClaim', 'data')).toBeDefined();
    expect(find(objects, 'Secret', 'secret-pw')?.data).toEqual({
      content: Buffer.from('s3cret').toString('base64'),
    });
    expect(find(objects, 'ConfigMap', 'api-env')?.data).toEqual({ A: '1', B: 'two' });
    const ing = find(objects, 'Ingress', 'route-0-api');
    expect(ing?.spec.rules[0].http.paths[0]).toMatchObject({
      path: '/api(/|$)(.*)',
      pathType: 'ImplementationSpecific',
    });
    expect(ing?.metadata.annotations['nginx.ingress.kubernetes.io/rewrite-target']).toBe('/$2');
    expect(find(objects, 'Service', 'api')?.spec).toMatchObject({
      clusterIP: 'None',
      ports: [{ port: 3000 }],
    });
    for (const o of objects) {
      expect(o.metadata.labels['app.kubernetes.io/part-of']).toBe('demo');
      expect(o.metadata.labels['app.kubernetes.io/name']).toMatch(/^[a-z0-9-]+$/);
    }
    const keys = warnings.map((w) => `${w.service ?? ''}:${w.key}`);
    expect(keys).toContain('worker:x-orch.probe.log');
    expect(keys).toContain('db:ports.published');
    expect(keys).toContain('api:x-orch.gateway.routes[0].strip_prefix');
  });

  it('every object is valid against the pinned Kubernetes schemas', async () => {
    const { objects } = toKubernetes(input(await project()));
    expect(objects.map(problemOf).filter(Boolean)).toEqual([]);
    expect(() => assertValid(objects)).not.toThrow();
  });

  it('x-orch.autoscale: an HPA (autoscaling/v2) for cpu_percent, a warning for the gateway figures', async () => {
    const p = await project(`
services:
  api:
    image: api:1
    deploy: { resources: { reservations: { cpus: "0.5" } } }
    x-orch: { autoscale: { min: 2, max: 5, target: { cpu_percent: 60 }, cooldown: 90s } }
  web:
    image: web:1
    x-orch: { autoscale: { max: 3, target: { p95_ms: 200 } } }
x-orch:
  gateway: { port: 8080, routes: [{ path: /, service: web, port: 80 }] }
`);
    const { objects, warnings } = toKubernetes(input(p));
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'api');
    expect(hpa?.['apiVersion']).toBe('autoscaling/v2');
    expect(hpa?.['spec']).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
      minReplicas: 2,
      maxReplicas: 5,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 90 } },
    });
    expect(problemOf(hpa as K8sObject)).toBeUndefined();
    expect(problemOf({ ...(hpa as K8sObject), spec: { ...hpa?.['spec'], maxReplicas: 'five' } })).toMatch(
      /maxReplicas/,
    );
    expect(find(objects, 'HorizontalPodAutoscaler', 'web')).toBeUndefined();
    expect(warnings.map((w) => `${w.service ?? ''}:${w.key}`)).toEqual([
      'web:x-orch.autoscale.target.p95_ms',
    ]);
    // After the Deployment it scales, in apply order.
    const kinds = objects.map((o) => o.kind);
    expect(kinds.indexOf('HorizontalPodAutoscaler')).toBeGreaterThan(kinds.lastIndexOf('Deployment'));
  });

  it('an invalid object is orch’s bug: exit 70', async () => {
    const { objects } = toKubernetes(input(await project()));
    const bad = objects.map((o) =>
      o.kind === 'Deployment' ? { ...o, spec: { ...(o['spec'] as object), replicas: 'three' } } : o,
    );
    expect(problemOf(bad.find((o) => o.kind === 'Deployment') as K8sObject)).toMatch(/replicas/);
    let err: unknown;
    try {
      assertValid(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OrchError);
    expect((err as OrchError).exitCode).toBe(70);
    expect(problemOf({ ...objects[0]!, metadata: { name: 'Bad_Name', labels: {} } })).toMatch(/DNS-1123/);
  });

  it('is deterministic: the same project, declared in another order, gives the same bytes', async () => {
    const a = yamlStream(toKubernetes(input(await project())).objects);
    const b = yamlStream(toKubernetes(input(await project())).objects);
    expect(b).toBe(a);
    const reordered = YAML.replace(/ {2}worker:\n.*\n.*\n/, '').replace(
      'services:\n',
      'services:\n  worker:\n    image: worker:1\n    x-orch: { probe: { log: "ready" } }\n',
    );
    expect(reordered).not.toBe(YAML);
    expect(yamlStream(toKubernetes(input(await project(reordered))).objects)).toBe(a);
  });

  it('two services that become the same Kubernetes name are a usage error', async () => {
    const p = await project('services:\n  my_api: { image: a }\n  my-api: { image: b }\n');
    expect(() => toKubernetes(input(p))).toThrow(/would both be/);
  });
});

describe('export swarm', () => {
  it('publishes in host mode, resolves by DNS round-robin, and runs the gateway as a service', async () => {
    const p = await project();
    const { doc, warnings } = toSwarmStack(input(p), { image: 'orch-gateway:x' }, oneShotServices(p));
    const services = doc['services'] as Record<string, any>;
    expect(doc['version']).toMatch(/^3\./);
    expect(services['db'].ports).toEqual([{ target: 5432, published: 5432, protocol: 'tcp', mode: 'host' }]);
    expect(services['api'].ports).toBeUndefined();
    expect(services['api'].deploy).toMatchObject({
      replicas: 3,
      endpoint_mode: 'dnsrr',
      restart_policy: { condition: 'any' },
    });
    expect(services['api'].healthcheck.test[0]).toBe('CMD-SHELL');
    expect(services['api'].healthcheck.test[1]).toContain('http://127.0.0.1:3000/health');
    expect(services['api'].build).toBeUndefined();
    expect(services['api'].depends_on).toBeUndefined();
    expect(services['seed'].deploy.restart_policy).toEqual({ condition: 'none' });
    expect(services['worker'].healthcheck).toBeUndefined();
    const gw = services['gateway'];
    expect(gw.image).toBe('orch-gateway:x');
    expect(gw.ports).toEqual([{ target: 8080, published: 8080, protocol: 'tcp', mode: 'host' }]);
    expect(JSON.parse(gw.environment.ORCH_GATEWAY).routes[0]).toMatchObject({
      path: '/api',
      service: 'api',
      stripPrefix: true,
    });
    expect((doc['networks'] as any).default.driver).toBe('overlay');
    expect((doc['secrets'] as any).pw).toEqual({ name: 'demo_pw', file: '/p/pw.txt' });
    expect(warnings.map((w) => `${w.service ?? ''}:${w.key}`)).toContain('worker:x-orch.probe.log');
  });
});

describe('deploy.resources in the exports', () => {
  const text = `name: res
services:
  api:
    image: api:1
    deploy:
      resources:
        limits: { cpus: "1.5", memory: 512m, pids: 32 }
        reservations: { cpus: 0.25, memory: 128m }
`;

  it('Kubernetes: limits and requests in canonical quantities, pids warned about', async () => {
    const { objects, warnings } = toKubernetes(input(await project(text)));
    const c = find(objects, 'Deployment', 'api')?.spec.template.spec.containers[0];
    expect(c.resources).toEqual({
      limits: { cpu: '1500m', memory: String(512 * 1024 ** 2) },
      requests: { cpu: '250m', memory: String(128 * 1024 ** 2) },
    });
    expect(() => assertValid(objects)).not.toThrow();
    expect(warnings.map((w) => `${w.service ?? ''}:${w.key}`)).toContain('api:deploy.resources.limits.pids');
  });

  it('Swarm: the stack file carries them as strings', async () => {
    const p = await project(text);
    const { doc } = toSwarmStack(input(p), { image: 'orch-gateway:x' }, oneShotServices(p));
    expect((doc as any).services.api.deploy.resources).toEqual({
      limits: { cpus: '1.5', memory: String(512 * 1024 ** 2) },
      reservations: { cpus: '0.25', memory: String(128 * 1024 ** 2) },
    });
  });
});

describe('a weighted route in the exports', () => {
  const WEIGHTED = YAML.replace(
    '      - { path: /api, service: api, port: 3000, strip_prefix: true }',
    [
      '      - path: /api',
      '        balance: weighted',
      '        services: [{ service: api, weight: 90 }, { service: worker, weight: 10 }]',
      '        port: 3000',
      '        retries: { attempts: 2 }',
      '        breaker: { consecutive_failures: 3, open_for: 5s }',
    ].join('\n'),
  );

  it('Kubernetes: every service of the split gets the route port; the Ingress warns it sends to the first', async () => {
    const p = await project(WEIGHTED);
    const { objects, warnings } = toKubernetes(input(p));
    for (const s of ['api', 'worker'])
      expect(find(objects, 'Service', s)?.spec.ports.map((x: any) => x.port)).toContain(3000);
    const ingress = objects.find((o) => o.kind === 'Ingress') as Record<string, any>;
    expect(ingress.spec.rules[0].http.paths[0].backend.service.name).toBe('api');
    const keys = warnings.map((w) => w.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'x-orch.gateway.routes[0].services',
        'x-orch.gateway.routes[0].retries',
        'x-orch.gateway.routes[0].breaker',
      ]),
    );
    // Deterministic: the same bytes twice.
    expect(yamlStream(toKubernetes(input(await project(WEIGHTED))).objects)).toBe(yamlStream(objects));
  });

  it('Swarm: the gateway service gets the split, retries and breaker, and joins every split service’s networks', async () => {
    const p = await project(WEIGHTED);
    const { doc } = toSwarmStack(input(p), { image: 'orch-gateway:x' }, oneShotServices(p));
    const gw = (doc['services'] as Record<string, any>)['gateway'];
    expect(JSON.parse(gw.environment.ORCH_GATEWAY).routes[0]).toEqual({
      path: '/api',
      service: 'api',
      services: [
        { service: 'api', weight: 90 },
        { service: 'worker', weight: 10 },
      ],
      port: 3000,
      stripPrefix: false,
      balance: 'weighted',
      retries: { attempts: 2, budget: 0.2 },
      breaker: { consecutiveFailures: 3, openForMs: 5000 },
    });
  });
});
