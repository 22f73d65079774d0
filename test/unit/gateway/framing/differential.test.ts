import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCases, responseCases } from './corpus.js';
import { agree, requestDecision, responseDecision, STRICTER } from './decide.js';
import { pool, RequestOracle, ResponseOracle } from './oracle.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/**
 * The gateway's framing decision equals llhttp's (Node's parser, through node:http on loopback)
 * over the whole corpus; where the gateway refuses what llhttp reads, the refusal's reason must be
 * one of the deliberate ones listed in STRICTER.
 */
describe('the gateway frames messages as llhttp does (differential corpus)', () => {
  const requests = new RequestOracle();
  const responses = new ResponseOracle();
  beforeAll(async () => {
    await requests.start();
    await responses.start();
  });
  afterAll(async () => {
    await requests.stop();
    await responses.stop();
  });

  it('request heads, bodies and the request after them', { timeout: 120_000 }, async () => {
    const cases = requestCases();
    expect(cases.length).toBeGreaterThan(300);
    const oracle = await pool(cases, 24, (c) => requests.send(latin1(c.bytes)));
    const report: string[] = [];
    let stricter = 0;
    cases.forEach((c, i) => {
      const gw = requestDecision(latin1(c.bytes));
      const o = oracle[i]!;
      const a = agree(gw, o);
      if (a === 'stricter') stricter++;
      if (a === 'differ') report.push(`${c.name}: gateway ${JSON.stringify(gw)} llhttp ${JSON.stringify(o)}`);
    });
    if (report.length > 0) console.log(report.join('\n'));
    expect(report).toEqual([]);
    expect(stricter).toBeGreaterThan(0);
  });

  it('response heads and bodies', { timeout: 120_000 }, async () => {
    const cases = responseCases();
    expect(cases.length).toBeGreaterThan(200);
    const oracle = await pool(cases, 24, (c) =>
      responses.send(c.method, latin1(c.bytes), latin1(c.extra ?? 'XYZ')),
    );
    const report: string[] = [];
    cases.forEach((c, i) => {
      const gw = responseDecision(c.method, latin1(c.bytes + (c.extra ?? 'XYZ')));
      const o = oracle[i]!;
      if (agree(gw, o) === 'differ')
        report.push(`${c.name}: gateway ${JSON.stringify(gw)} llhttp ${JSON.stringify(o)}`);
    });
    if (report.length > 0) console.log(report.join('\n'));
    expect(report).toEqual([]);
  });

  it('every deliberate difference says why', () => {
    for (const why of Object.values(STRICTER)) expect(why.length).toBeGreaterThan(20);
  });
});
