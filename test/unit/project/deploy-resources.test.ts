import { describe, expect, it } from 'vitest';
import { toCreateOptions } from '../../../src/adapters/docker/create-spec.js';
import { containerCreateSpec } from '../../../src/core/engine/container-spec.js';
import { serviceConfigHash } from '../../../src/core/engine/config-hash.js';
import { toComposeCanonical } from '../../../src/project/index.js';
import { load, project, where } from './helpers.js';

const yaml = `name: res
services:
  api:
    image: busybox
    deploy:
      resources:
        limits: { cpus: "0.5", memory: 512m, pids: 64 }
        reservations: { cpus: 0.25, memory: 128M }
  plain:
    image: busybox
`;

describe('deploy.resources', { timeout: 30_000 }, () => {
  it('reads limits and reservations with compose units (binary multiples)', async () => {
    const p = await project(yaml);
    expect(p.services['api']?.resources).toEqual({
      limits: { cpus: 0.5, memoryBytes: 512 * 1024 ** 2, pids: 64 },
      reservations: { cpus: 0.25, memoryBytes: 128 * 1024 ** 2 },
    });
    expect(p.services['plain']?.resources).toBeUndefined();
    for (const [written, bytes] of [
      ['1g', 1024 ** 3],
      ['1.5GiB', 1.5 * 1024 ** 3],
      ['100k', 100 * 1024],
      ['2048', 2048],
      ['64mb', 64 * 1024 ** 2],
    ] as const) {
      const q = await project(
        `services:\n  s:\n    image: a\n    deploy: {resources: {limits: {memory: "${written}"}}}\n`,
      );
      expect(q.services['s']?.resources?.limits?.memoryBytes, written).toBe(bytes);
    }
  });

  it('is printed by config as docker compose prints it', async () => {
    const cfg = toComposeCanonical(await project(yaml)) as {
      services: Record<string, Record<string, unknown>>;
    };
    expect(cfg.services['api']?.['deploy']).toEqual({
      replicas: 1,
      resources: {
        limits: { cpus: 0.5, memory: String(512 * 1024 ** 2), pids: 64 },
        reservations: { cpus: 0.25, memory: String(128 * 1024 ** 2) },
      },
    });
  });

  it('reaches the engine as NanoCpus, Memory, MemoryReservation and PidsLimit, and in the config hash', async () => {
    const p = await project(yaml);
    const spec = containerCreateSpec({
      project: p,
      service: p.services['api']!,
      replica: 1,
      image: 'img',
      configHash: 'h',
      files: [],
    });
    expect(toCreateOptions(spec).HostConfig).toMatchObject({
      NanoCpus: 500_000_000,
      Memory: 512 * 1024 ** 2,
      MemoryReservation: 128 * 1024 ** 2,
      PidsLimit: 64,
    });
    const other = await project(yaml.replace('memory: 512m', 'memory: 256m'));
    expect(serviceConfigHash(other.services['api']!, 'i')).not.toBe(
      serviceConfigHash(p.services['api']!, 'i'),
    );
    // A service without resources hashes as before the key existed: nothing is recreated by it.
    const plain = containerCreateSpec({
      project: p,
      service: p.services['plain']!,
      replica: 1,
      image: 'img',
      configHash: 'h',
      files: [],
    });
    expect(toCreateOptions(plain).HostConfig).not.toHaveProperty('Memory');
  });

  it('a bad size or cpu count is an error at its line; keys orch cannot honour warn', async () => {
    const bad = await load(
      'services:\n  s:\n    image: a\n    deploy:\n      resources:\n        limits: {memory: lots, cpus: "-1"}\n',
    );
    expect(bad.errors.map((e) => `${where(e)} ${e.message}`)).toEqual([
      expect.stringMatching(/^6:26 `lots` is not a size/),
      expect.stringMatching(/^6:38 `-1` is not a number of CPUs/),
    ]);
    const devices = await load(
      'services:\n  s:\n    image: a\n    deploy:\n      resources:\n        reservations:\n          devices: [{capabilities: [gpu]}]\n',
    );
    expect(devices.errors).toEqual([]);
    expect(devices.warnings.map((w) => `${where(w)} ${w.message}`)).toContainEqual(
      expect.stringMatching(/^7:\d+ `services.s.deploy.resources.reservations.devices` is not supported/),
    );
  });
});
