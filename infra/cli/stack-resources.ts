/**
 * The stack's stores for `links` and `dlq`: the running local stack's dynalite and fauxqs (from its state file), or
 * the deployed stack's table and queues (from its CloudFormation outputs). Imported on demand: the AWS SDK is slow
 * to load, and `validate` and `preview` never need it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDbLinkStore } from '../../shared/adapters/dynamodb/link-store.ts';
import { DynamoDbFailureLog } from '../../shared/adapters/dynamodb/failure-log.ts';
import type { LocalState } from '../local/local-state.ts';
import type { BridgeQueue, BridgeResources } from './context.ts';
import { CliError } from './io.ts';

export function localResources(state: LocalState | undefined): BridgeResources {
  if (!state?.dynamodbEndpoint || !state.sqsEndpoint || !state.linksTableName || !state.queues) {
    throw new CliError('The local stack is not running: start it with `npm start` (in another terminal), or add --aws to read the deployed stack.');
  }
  // One attempt: a local engine that does not answer is a stopped stack, not a passing fault.
  const clientConfig = (endpoint: string) => ({ endpoint, region: state.region ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const table = { client: new DynamoDBClient(clientConfig(state.dynamodbEndpoint)), tableName: state.linksTableName };
  return {
    where: 'local stack',
    links: new DynamoDbLinkStore(table),
    failures: new DynamoDbFailureLog(table),
    sqs: new SQSClient(clientConfig(state.sqsEndpoint)),
    queues: state.queues,
  };
}

/** The deployed stack's table and queues, from its outputs (LinksTableName, EventsQueueName, ...). */
export async function deployedResources(stackName: string): Promise<BridgeResources> {
  const cloudFormation = new CloudFormationClient({});
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
  } catch (error) {
    throw new CliError(`Cannot read the outputs of CloudFormation stack ${stackName} (${(error as Error).name}: ${(error as Error).message}): check AWS credentials and region (AWS_PROFILE, AWS_REGION), or name the stack with --stack <name>.`);
  }
  const need = (key: string) => {
    const value = outputs[key];
    if (!value) throw new CliError(`Stack ${stackName} has no output ${key}: deploy this version of the bridge (npx cdk deploy) first.`);
    return value;
  };
  const sqs = new SQSClient({});
  const urlOf = async (name: string) => {
    try {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      if (!QueueUrl) throw new Error('no QueueUrl');
      return QueueUrl;
    } catch (error) {
      throw new CliError(`Cannot find SQS queue ${name} of stack ${stackName} (${(error as Error).message}).`);
    }
  };
  const queue = async (key: string, dlqKey: string, name: string): Promise<BridgeQueue> => ({
    name,
    url: await urlOf(need(key)),
    deadLetterQueue: { name: `${name}-dlq`, url: await urlOf(need(dlqKey)) },
  });
  const table = { client: new DynamoDBClient({}), tableName: need('LinksTableName') };
  return {
    where: `stack ${stackName}`,
    links: new DynamoDbLinkStore(table),
    failures: new DynamoDbFailureLog(table),
    sqs,
    queues: [
      await queue('EventsQueueName', 'DeadLetterQueueName', 'backtrace-events'),
      await queue('JiraChangesQueueName', 'JiraChangesDeadLetterQueueName', 'jira-changes'),
    ],
  };
}
