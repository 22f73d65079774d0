import { describe, expect, it } from 'vitest';
import { dashboardArgs, dashboardOption } from '../../../src/cli/dashboard.js';
import { load, project } from '../project/helpers.js';

describe('x-orch.dashboard', () => {
  it('reads the port, and leaves it out when the key is absent', async () => {
    const withPort = await project('services:\n  s:\n    image: a\nx-orch:\n  dashboard: { port: 8181 }\n');
    expect(withPort.orch.dashboard).toEqual({ port: 8181 });
    const without = await project('services:\n  s:\n    image: a\n');
    expect(without.orch.dashboard).toBeUndefined();
  });

  it('refuses an unknown key or a port out of range, at its line', async () => {
    const typo = await load('services:\n  s:\n    image: a\nx-orch:\n  dashboard: { prot: 8181 }\n');
    expect(typo.errors.length).toBeGreaterThan(0);
    expect(typo.errors[0]?.line).toBe(5);
    const range = await load('services:\n  s:\n    image: a\nx-orch:\n  dashboard:\n    port: 70000\n');
    expect(range.errors.map((e) => e.line)).toEqual([6]);
  });
});

describe('--no-dashboard and --dashboard-port', () => {
  it('turn into the host option and the supervisor flags', () => {
    expect(dashboardOption({})).toEqual({ dashboard: {} });
    expect(dashboardOption({ 'dashboard-port': 9000 })).toEqual({ dashboard: { port: 9000 } });
    expect(dashboardOption({ 'no-dashboard': true, 'dashboard-port': 9000 })).toEqual({});
    expect(dashboardArgs({})).toEqual([]);
    expect(dashboardArgs({ 'dashboard-port': 9000 })).toEqual(['--dashboard-port', '9000']);
    expect(dashboardArgs({ 'no-dashboard': true })).toEqual(['--no-dashboard']);
  });
});
