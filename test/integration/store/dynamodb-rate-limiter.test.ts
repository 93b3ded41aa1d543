/**
 * The pacing buckets on the links table (dynalite through the real SDK client): the records of one container that
 * ask for a bucket at once take their slots together, in one read and one conditional write, each slot exactly the
 * one the token bucket gives when they are taken one after the other.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRateLimiter } from '../../../shared/adapters/dynamodb/rate-limiter.ts';
import { initialBucket, reserve } from '../../../shared/domain/pacing/token-bucket.ts';
import { ManualClock } from '../../support/in-memory/clock.ts';
import { startLinkTableOnDynalite, type LinkTableOnDynalite } from './link-table-on-dynalite.ts';

let table: LinkTableOnDynalite;
beforeAll(async () => {
  table = await startLinkTableOnDynalite();
});
afterAll(async () => {
  await table?.close();
});

/** A container's limiter whose DynamoDB client records the name of every command it sends. */
function limiter(clock: ManualClock, beforeWrite?: () => Promise<void>): { limiter: DynamoDbRateLimiter; commands: string[]; client: DynamoDBClient } {
  const client = new DynamoDBClient({ endpoint: table.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const commands: string[] = [];
  client.middlewareStack.add((next, context) => async (args) => {
    commands.push(String(context.commandName));
    if (context.commandName === 'PutItemCommand' && beforeWrite) await beforeWrite();
    return next(args);
  }, { step: 'initialize' });
  return { limiter: new DynamoDbRateLimiter({ client, tableName: table.tableName, clock }), commands, client };
}

/** The grants `reserve` gives `count` requests taken one after the other from a fresh bucket at `now`. */
function oneByOne(count: number, ceiling: number, now: number, maxWaitMs: number) {
  let state = initialBucket(ceiling, now);
  return Array.from({ length: count }, () => {
    const reservation = reserve(state, ceiling, now, maxWaitMs);
    if (reservation.granted) state = reservation.state;
    return { granted: reservation.granted, waitMs: reservation.waitMs };
  });
}

describe('Class: DynamoDbRateLimiter', () => {
  it('takes the slots of ten records asking at once in one read and one write, each the slot it gets one by one', async () => {
    // Prepare
    const clock = new ManualClock();
    const { limiter: pace, commands, client } = limiter(clock);
    const key = { site: `acme-${randomUUID()}.atlassian.net`, endpoint: 'POST issue' };

    // Act
    const grants = await Promise.all(Array.from({ length: 10 }, () => pace.reserve(key, 5, 10_000))).finally(() => client.destroy());

    // Assess
    expect(grants).toEqual(oneByOne(10, 5, clock.now(), 10_000));
    expect(new Set(grants.map((grant) => grant.waitMs)).size).toBeGreaterThan(1);
    expect(commands).toEqual(['GetItemCommand', 'PutItemCommand']);
  });

  it('refuses, within the same write, the records whose slot is beyond their budget, and takes nothing for them', async () => {
    // Prepare
    const clock = new ManualClock();
    const first = limiter(clock);
    const key = { site: `acme-${randomUUID()}.atlassian.net`, endpoint: 'POST issue' };

    // Act
    const grants = await Promise.all(Array.from({ length: 10 }, () => first.limiter.reserve(key, 5, 500))).finally(() => first.client.destroy());
    const after = limiter(clock);
    const next = await after.limiter.reserve(key, 5, 60_000).finally(() => after.client.destroy());

    // Assess
    const expected = oneByOne(10, 5, clock.now(), 500);
    expect(grants).toEqual(expected);
    expect(grants.some((grant) => !grant.granted)).toBe(true);
    // The next request (another container) gets the slot after the last granted one: the refused took none.
    expect(next).toEqual(oneByOne(expected.filter((grant) => grant.granted).length + 1, 5, clock.now(), 60_000).at(-1));
  });

  it('queues the reservations that arrive while an update is being written for the next one', async () => {
    // Prepare: the first write waits until the test lets it go
    const clock = new ManualClock();
    let writing!: () => void;
    const firstWriteStarted = new Promise<void>((resolve) => (writing = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let writes = 0;
    const { limiter: pace, commands, client } = limiter(clock, async () => {
      if (++writes > 1) return;
      writing();
      await released;
    });
    const key = { site: `acme-${randomUUID()}.atlassian.net`, endpoint: 'GET issue/{id}' };

    // Act: one alone; while its slot is being written, nine more
    const firstGrant = pace.reserve(key, 5, 10_000);
    await firstWriteStarted;
    const rest = Array.from({ length: 9 }, () => pace.reserve(key, 5, 10_000));
    release();
    const grants = await Promise.all([firstGrant, ...rest]).finally(() => client.destroy());

    // Assess
    expect(grants).toEqual(oneByOne(10, 5, clock.now(), 10_000));
    expect(commands).toEqual(['GetItemCommand', 'PutItemCommand', 'GetItemCommand', 'PutItemCommand']);
  });
});
