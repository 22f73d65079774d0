import { describe, expect, it } from 'vitest';
import { otlpTracesUrl } from '../../../src/cli/telemetry.js';
import { load, project, where } from './helpers.js';

const withOtlp = (v: string): string =>
  `services:\n  a:\n    image: busybox\nx-orch:\n  telemetry:\n    otlp: ${v}\n`;

describe('x-orch.telemetry.otlp', () => {
  it('keeps an http(s) URL; refuses anything else at its line, and unknown keys', async () => {
    expect((await project(withOtlp('http://127.0.0.1:4318'))).orch.telemetry).toEqual({
      otlp: 'http://127.0.0.1:4318',
    });
    const bad = await load(withOtlp('127.0.0.1:4318'));
    expect(bad.errors.map((e) => `${where(e)} ${e.message}`)).toEqual([
      expect.stringMatching(/^6:\d+ .*not an http\(s\) URL.*http:\/\/127\.0\.0\.1:4318/),
    ]);
    const typo = await load(`services:\n  a:\n    image: busybox\nx-orch:\n  telemetry:\n    otpl: x\n`);
    expect(typo.errors).toHaveLength(1);
  });

  it('is where spans go unless the environment says otherwise, as the OpenTelemetry SDKs read it', async () => {
    const p = await project(withOtlp('http://collector:4318/'));
    expect(otlpTracesUrl(p, {})).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl(p, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318' })).toBe(
      'http://env:4318/v1/traces',
    );
    expect(otlpTracesUrl(p, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://env:4318/custom' })).toBe(
      'http://env:4318/custom',
    );
    const none = await project('services:\n  a:\n    image: busybox\n');
    expect(otlpTracesUrl(none, {})).toBeUndefined();
    expect(otlpTracesUrl(none, { OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
  });
});
