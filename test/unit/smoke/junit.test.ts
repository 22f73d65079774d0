import { describe, expect, it } from 'vitest';
import {
  escapeAttr,
  escapeText,
  renderJUnit,
  serviceResults,
  smokeResult,
  type CheckResult,
  type SmokeResult,
} from '../../../src/core/smoke/index.js';
import { junitProblems, parseXml, type XmlElement } from './junit-schema.js';

const passed = (name: string): CheckResult => ({
  name,
  kind: 'http',
  target: 'GET /',
  status: 'passed',
  durationMs: 12,
  attempts: 1,
});

function result(over: Partial<Parameters<typeof smokeResult>[0]> = {}): SmokeResult {
  return smokeResult({
    project: 'shop',
    startedAt: new Date('2024-05-01T10:00:00.123Z'),
    durationMs: 4321,
    gateway: 'http://127.0.0.1:40000',
    interrupted: false,
    checks: [passed('api answers'), passed('web answers')],
    services: serviceResults(['api', 'web'], [], undefined, []),
    timeline: { totalMs: 3000, services: {}, criticalPath: ['api'] },
    ...over,
  });
}

const find = (el: XmlElement, name: string): XmlElement[] =>
  el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...find(c, name)]);

describe('renderJUnit', () => {
  it('all passed: valid, failures="0", one testcase per check in order', () => {
    const xml = renderJUnit(result(), 'ci-host');
    const doc = parseXml(xml);
    expect(junitProblems(doc)).toEqual([]);
    const [suite] = find(doc, 'testsuite');
    expect(suite?.attrs).toMatchObject({
      tests: '2',
      failures: '0',
      errors: '0',
      skipped: '0',
      time: '4.321',
    });
    expect(suite?.attrs['timestamp']).toBe('2024-05-01T10:00:00');
    expect(suite?.attrs['hostname']).toBe('ci-host');
    expect(find(doc, 'testcase').map((t) => t.attrs['name'])).toEqual(['api answers', 'web answers']);
    expect(find(doc, 'testcase')[0]?.attrs['time']).toBe('0.012');
  });

  it('a failing check and an unhealthy service are failing testcases, with log lines in the text', () => {
    const failures = [
      {
        service: 'db',
        reason: 'not ready after 30s (--timeout)',
        replicas: [
          {
            name: 'shop-db-1',
            state: 'running',
            health: 'unhealthy',
            exitCode: null,
            probes: [],
            lastLines: ['boot', 'FATAL: <no> & "bad"'],
          },
        ],
      },
    ];
    const r = result({
      services: serviceResults(['api', 'db'], failures, undefined, [
        { service: 'db', container: 'shop-db-1', state: 'running', health: 'unhealthy', restarts: 2 },
      ]),
      checks: [
        passed('ok one'),
        {
          ...passed('checkout <works> & "pays"'),
          status: 'failed',
          reason: 'status 500, expected 200\nsecond line',
        },
        { ...passed('later'), status: 'skipped', durationMs: 0, attempts: 0, reason: 'not run: interrupted' },
      ],
    });
    expect(r.ok).toBe(false);
    const doc = parseXml(renderJUnit(r, 'h'));
    expect(junitProblems(doc)).toEqual([]);
    const [suite] = find(doc, 'testsuite');
    expect(suite?.attrs).toMatchObject({ tests: '4', failures: '2', skipped: '1' });
    const cases = find(doc, 'testcase');
    expect(cases.map((c) => c.attrs['name'])).toEqual([
      'service db is healthy',
      'ok one',
      'checkout <works> & "pays"',
      'later',
    ]);
    const svcFailure = find(cases[0] as XmlElement, 'failure')[0];
    expect(svcFailure?.attrs['message']).toBe('db did not become healthy: not ready after 30s (--timeout)');
    expect(svcFailure?.text).toContain('shop-db-1 | FATAL: <no> & "bad"');
    expect(svcFailure?.text).toContain('restarts: 2');
    // Line breaks survive in attributes (as &#10;).
    expect(find(cases[2] as XmlElement, 'failure')[0]?.attrs['message']).toBe(
      'status 500, expected 200\nsecond line',
    );
    expect(find(cases[3] as XmlElement, 'skipped')[0]?.attrs['message']).toBe('not run: interrupted');
  });

  it('keeps the report well-formed whatever the logs contain', () => {
    const nasty = "a\u001b[31mred\u001b[0m \u0000nul \u0007bell ]]> \ud800lone \ud83d\ude00 emoji 'quote'";
    const failures = [
      {
        service: 'x',
        reason: nasty,
        replicas: [
          { name: 'x-1', state: 'exited', health: 'none', exitCode: 1, probes: [], lastLines: [nasty] },
        ],
      },
    ];
    const r = result({
      services: serviceResults(['x'], failures, undefined, []),
      checks: [{ ...passed(nasty), status: 'failed', reason: nasty }],
    });
    const xml = renderJUnit(r, 'h');
    const doc = parseXml(xml);
    expect(junitProblems(doc)).toEqual([]);
    const text = find(doc, 'failure')[0]?.text ?? '';
    expect(text).toContain('ared \ufffdnul \ufffdbell');
    expect(text).toContain(']]>');
    expect(text).toContain('\ud83d\ude00 emoji');
    expect(text).not.toContain('\u001b');
  });

  it('no checks: still a valid report', () => {
    const doc = parseXml(renderJUnit(result({ checks: [] }), 'h'));
    expect(junitProblems(doc)).toEqual([]);
    expect(find(doc, 'testsuite')[0]?.attrs['tests']).toBe('0');
  });
});

describe('escaping', () => {
  it('escapes text and attributes', () => {
    expect(escapeText('a<b>&c"\'')).toBe('a&lt;b&gt;&amp;c"\'');
    expect(escapeAttr('a<b>&c"\'\n\t')).toBe('a&lt;b&gt;&amp;c&quot;&apos;&#10;&#9;');
  });
});

describe('the schema check itself', () => {
  it('catches what CI parsers reject', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/mismatched/);
    expect(() => parseXml('<a x="1 < 2"/>')).toThrow(/< in an attribute/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/not allowed/);
    expect(() => parseXml('<a>x & y</a>')).toThrow(/bare &/);
    expect(
      junitProblems(
        parseXml(
          '<testsuites><testsuite name="s" tests="1" failures="0"><testcase/></testsuite></testsuites>',
        ),
      ),
    ).toEqual(['testsuites/testsuite: missing @errors', 'testsuites/testsuite/testcase: missing @name']);
    expect(
      junitProblems(
        parseXml(
          '<testsuites><testsuite name="s" tests="2" failures="0" errors="0" time="1e3"><testcase name="a"><boom/></testcase></testsuite></testsuites>',
        ),
      ),
    ).toEqual([
      'testsuites/testsuite: @time "1e3" is not a Surefire time',
      'testsuites/testsuite/testcase: <boom> not allowed here',
      'testsuites/testsuite/testcase/boom: unknown element',
      '@tests 2 ≠ 1 testcases',
    ]);
  });
});
