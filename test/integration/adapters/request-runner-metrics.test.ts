/**
 * What the request runner counts for the dashboard, over real HTTP on loopback: each failed request by class
 * (JiraErrors / BacktraceErrors), every 429, and every in-process retry.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequestRunner } from '../../../shared/adapters/http/request-runner.ts';
import type { RateLimiter } from '../../../shared/ports/rate-limiter.ts';
import { InMemoryMetrics } from '../../support/in-memory/metrics.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server answering each request with the next status of `statuses` (the last one repeats). */
async function serverAnswering(statuses: number[]): Promise<string> {
  let index = 0;
  const server = createServer((_request, response) => {
    const status = statuses[Math.min(index++, statuses.length - 1)]!;
    response.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
    response.end(JSON.stringify(status < 300 ? { ok: true } : { errorMessages: ['no'] }));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe('Function: createRequestRunner (metrics)', () => {
  it.each<[string, 'Jira' | 'Backtrace', number[], string[]]>([
    ['a 404 from Jira', 'Jira', [404], ['JiraErrors{errorClass=NotFound}']],
    ['a 401 from Backtrace', 'Backtrace', [401], ['BacktraceErrors{errorClass=Auth}']],
    ['a 400 from Jira (a refused field)', 'Jira', [400], ['JiraErrors{errorClass=Refused}']],
    ['a 409 from Jira', 'Jira', [409], ['JiraErrors{errorClass=Conflict}']],
    ['a 503, then success', 'Backtrace', [503, 200], ['Retries{system=Backtrace}']],
    ['a 429, then success', 'Jira', [429, 200], ['RateLimited{system=Jira}', 'Retries{system=Jira}']],
    ['429s past the retry budget', 'Jira', [429], ['RateLimited{system=Jira}', 'Retries{system=Jira}', 'RateLimited{system=Jira}', 'JiraErrors{errorClass=RateLimited}']],
    ['500s past the retry budget', 'Backtrace', [500], ['Retries{system=Backtrace}', 'BacktraceErrors{errorClass=ServerError}']],
    ['a success', 'Jira', [200], []],
  ])('counts %s', async (_case, system, statuses, expected) => {
    // Prepare
    const metrics = new InMemoryMetrics();
    const runner = createRequestRunner({ system, baseUrl: await serverAnswering(statuses), metrics, maxRetries: 1, sleep: async () => undefined, random: () => 0 });

    // Act
    await runner.request({ method: 'GET', path: 'thing' }).catch(() => undefined);

    // Assess
    expect(metrics.names()).toEqual(expected);
  });

  it('counts the retry of a paced request after a 429 (the bucket holds, the request goes again)', async () => {
    // Prepare: a limiter that always grants a slot at once and records the 429's hold
    const metrics = new InMemoryMetrics();
    const holds: number[] = [];
    const limiter: RateLimiter = {
      reserve: async () => ({ granted: true, waitMs: 0 }),
      penalize: async (_key, _ceiling, retryAfterMs) => {
        holds.push(retryAfterMs ?? 0);
      },
    };
    const pacing = { limiter, ceiling: 25, bucket: (method: string, path: string) => ({ site: 'test', endpoint: `${method} ${path}` }) };
    const runner = createRequestRunner({ system: 'Jira', baseUrl: await serverAnswering([429, 200]), metrics, pacing, maxRetries: 1, sleep: async () => undefined, random: () => 0 });

    // Act
    const response = await runner.request({ method: 'GET', path: 'thing' });

    // Assess
    expect(response.status).toBe(200);
    expect(holds).toHaveLength(1);
    expect(metrics.names()).toEqual(['RateLimited{system=Jira}', 'Retries{system=Jira}']);
  });

  it('counts a refused connection as a Network error', async () => {
    // Prepare: a port nobody listens on any more.
    const baseUrl = await serverAnswering([200]);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const metrics = new InMemoryMetrics();
    const runner = createRequestRunner({ system: 'Backtrace', baseUrl, metrics, maxRetries: 0 });

    // Act
    await runner.request({ method: 'GET', path: 'thing' }).catch(() => undefined);

    // Assess
    expect(metrics.names()).toEqual(['BacktraceErrors{errorClass=Network}']);
  });
});
