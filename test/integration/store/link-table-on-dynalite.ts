/**
 * A links table on an in-process dynalite server (127.0.0.1, random port), reached through a real
 * DynamoDBClient, for the link-store and exactly-once tests.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { linkTableDefinition } from '../../../shared/adapters/dynamodb/link-table.ts';

// dynalite ships no type declarations; requiring it keeps a project-wide ambient module declaration out of the way.
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: { createTableMs?: number; updateTableMs?: number; deleteTableMs?: number }) => Server;

export interface LinkTableOnDynalite {
  client: DynamoDBClient;
  tableName: string;
  endpoint: string;
  close(): Promise<void>;
}

export async function startLinkTableOnDynalite(tableName = 'links'): Promise<LinkTableOnDynalite> {
  const server = dynalite({ createTableMs: 0, updateTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(new CreateTableCommand(linkTableDefinition(tableName)));
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    client,
    tableName,
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
