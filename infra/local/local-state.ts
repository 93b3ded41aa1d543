/** Where `npm start` leaves its URLs for `npm run send-sample` and `npx bridge` (git-ignored). */
import type { LocalStack } from './local-stack.ts';

export const LOCAL_STATE_FILE = new URL('../../.local/state.json', import.meta.url);

/** A queue of the local stack and its dead-letter queue, as fauxqs answers to them. */
export interface LocalStateQueue {
  name: string;
  url: string;
  deadLetterQueue: { name: string; url: string };
}

export interface LocalState {
  url: string;
  configFile: string;
  secretsFile: string;
  jiraSandbox?: string;
  backtraceSandbox?: string;
  /** The engines, so `npx bridge links` / `dlq` reach the same table and queues as the running stack. */
  region?: string;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  linksTableName?: string;
  queues?: LocalStateQueue[];
}

/** What a running stack writes to {@link LOCAL_STATE_FILE}. */
export function localStateOf(stack: LocalStack, configFile: string, secretsFile: string): LocalState {
  return {
    url: stack.url,
    configFile,
    secretsFile,
    jiraSandbox: stack.jiraSandbox?.url,
    backtraceSandbox: stack.backtraceSandbox?.url,
    region: stack.engines.region,
    dynamodbEndpoint: stack.engines.dynamodb.endpoint,
    sqsEndpoint: stack.engines.sqs.endpoint,
    linksTableName: stack.engines.dynamodb.linksTableName,
    queues: Object.values(stack.engines.sqs.queues).map((queue) => ({
      name: queue.name,
      url: queue.url,
      deadLetterQueue: { name: queue.deadLetterQueue.name, url: queue.deadLetterQueue.url },
    })),
  };
}
