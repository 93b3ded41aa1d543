/**
 * `bridge dlq list [--queue NAME]` and `bridge dlq replay [--id ID | --all] [--queue NAME]`: the dead-letter queues
 * of the worker queues (the local stack's fauxqs, or the deployed queues with `--aws`).
 *
 * SQS can only show a message by receiving it: `list` receives with a short visibility timeout and hands every
 * message back at once. `replay` sends the body, unchanged, to the DLQ's work queue and deletes it from the DLQ only
 * after that send succeeded, so a failure in between leaves a copy in both, never in neither; a replayed create is
 * safe because the worker's claim and the fingerprint's ticket entry make a second delivery create no second issue.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { parseQueueMessage } from '../../../shared/domain/queue-message.ts';
import type { FailureNote } from '../../../shared/ports/failure-log.ts';
import { loadCliContext, onResources, type BridgeQueue } from '../context.ts';
import { CliError, type CliIo } from '../io.ts';
import { formatAge, formatTable, printJson } from '../output.ts';
import { globalsOf, setExitCode } from '../command-state.ts';

/** A dead letter as printed; `--json` keys are stable. */
export interface DeadLetter {
  queue: string;
  id: string;
  kind: string;
  integrations: string[];
  fingerprint: string | null;
  issueKey: string | null;
  /** SQS's ApproximateReceiveCount: the worker's deliveries, plus the receives of listings like this one. */
  receiveCount: number;
  /** When it was first sent, ISO-8601. */
  sentAt: string | null;
  age: string | null;
  /** Why the worker's last delivery failed, as the worker noted it (SQS keeps no reason on the message). */
  reason: string;
  /** When that failure was noted, ISO-8601. */
  failedAt: string | null;
}

/** What a queue message is about and why it failed, for people (pure). */
export function describeDeadLetter(queue: string, message: Message, now: number, note?: FailureNote): DeadLetter {
  const sent = Number(message.Attributes?.SentTimestamp);
  const parsed = parseQueueMessage(message.Body ?? '');
  let kind = 'unreadable';
  let integrations: string[] = [];
  let fingerprint: string | null = null;
  let issueKey: string | null = null;
  if (parsed.ok) {
    const body = parsed.message;
    kind = body.kind;
    if (body.kind === 'backtrace.group') {
      integrations = body.integrations ?? [];
      fingerprint = body.group.fingerprint;
    } else if (body.kind === 'backtrace.fingerprint-updated') {
      integrations = [body.integration];
      fingerprint = body.event.fingerprint;
    } else {
      integrations = body.integrations;
      issueKey = body.event.issueKey;
    }
  }
  return {
    queue,
    id: message.MessageId ?? '',
    kind,
    integrations,
    fingerprint,
    issueKey,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAt: Number.isFinite(sent) ? new Date(sent).toISOString() : null,
    age: Number.isFinite(sent) ? formatAge(sent, now) : null,
    reason: note?.reason
      ?? (parsed.ok
        ? `no reason noted; the worker's log line for messageId ${message.MessageId} has it ("Will retry the message" / "Refused for good")`
        : `the message is malformed: ${parsed.problems.join('; ')}`),
    failedAt: note ? new Date(note.at).toISOString() : null,
  };
}

function pickQueues(queues: BridgeQueue[], name: string | undefined): BridgeQueue[] {
  if (name === undefined) return queues;
  const found = queues.filter((queue) => queue.name === name || queue.deadLetterQueue.name === name);
  if (found.length === 0) throw new CliError(`No queue named ${JSON.stringify(name)}: use one of ${queues.map((queue) => queue.name).join(', ')} with --queue.`);
  return found;
}

export function registerDlqCommands(program: Command, io: CliIo): void {
  const dlq = program.command('dlq').description('list and replay the dead-letter queues');
  const stackOption = ['--stack <name>', 'CloudFormation stack name with --aws (default BRIDGE_STACK_NAME or BacktraceJiraBridge)'] as const;

  dlq
    .command('list')
    .description('each dead letter with its fingerprint or issue key, deliveries and age')
    .option('--queue <name>', 'backtrace-events or jira-changes (default both)')
    .option(...stackOption)
    .action(async (options: { queue?: string; stack?: string }, command: Command) => {
      const globals = globalsOf(command);
      const resources = await loadCliContext(globals, io).resources(options.stack);
      const { receiveAll, release } = await import('../dead-letters.ts');
      const letters: DeadLetter[] = [];
      for (const queue of pickQueues(resources.queues, options.queue)) {
        const messages = await onResources(resources, `SQS ReceiveMessage on ${queue.deadLetterQueue.name}`, () => receiveAll(resources.sqs, queue.deadLetterQueue.url));
        await release(resources.sqs, queue.deadLetterQueue.url, messages);
        const notes = await onResources(resources, `reading the failure notes (${resources.where})`, () => resources.failures.find(messages.map((message) => message.MessageId ?? '')));
        letters.push(...messages.map((message) => describeDeadLetter(queue.name, message, Date.now(), notes.get(message.MessageId ?? ''))));
      }
      if (globals.json) printJson(io, { where: resources.where, messages: letters });
      else if (letters.length === 0) io.stdout(`No dead letters in the ${resources.where}.\n`);
      else {
        io.stdout(`${formatTable(
          ['QUEUE', 'ID', 'KIND', 'FINGERPRINT / ISSUE', 'INTEGRATIONS', 'RECEIVES', 'AGE'],
          letters.map((letter) => [letter.queue, letter.id, letter.kind, letter.fingerprint ?? letter.issueKey ?? '-', letter.integrations.join(',') || '-', String(letter.receiveCount), letter.age ?? '-']),
        )}\n${letters.map((letter) => `${letter.id}: ${letter.reason}`).join('\n')}\n`);
      }
    });

  dlq
    .command('replay')
    .description('send dead letters back to their work queue (deleted from the DLQ only after the send succeeded)')
    .option('--id <id>', 'the message id (from `dlq list`)')
    .option('--all', 'every dead letter')
    .option('--queue <name>', 'backtrace-events or jira-changes (default both)')
    .option(...stackOption)
    .action(async (options: { id?: string; all?: boolean; queue?: string; stack?: string }, command: Command) => {
      if ((options.id === undefined) === (options.all !== true)) throw new CliError('Say which dead letters to replay: --id <id> (see `npx bridge dlq list`) or --all.');
      const globals = globalsOf(command);
      const resources = await loadCliContext(globals, io).resources(options.stack);
      const { receiveAll, release, sendBack, remove } = await import('../dead-letters.ts');
      const replayed: { queue: string; id: string }[] = [];
      const failed: { queue: string; id: string; error: string }[] = [];
      for (const queue of pickQueues(resources.queues, options.queue)) {
        const messages = await onResources(resources, `SQS ReceiveMessage on ${queue.deadLetterQueue.name}`, () => receiveAll(resources.sqs, queue.deadLetterQueue.url));
        const chosen = messages.filter((message) => options.all === true || message.MessageId === options.id);
        await release(resources.sqs, queue.deadLetterQueue.url, messages.filter((message) => !chosen.includes(message)));
        for (const message of chosen) {
          try {
            await sendBack(resources.sqs, queue.url, message);
          } catch (error) {
            failed.push({ queue: queue.name, id: message.MessageId ?? '', error: (error as Error).message });
            await release(resources.sqs, queue.deadLetterQueue.url, [message]);
            continue;
          }
          // Only now: the message is safely back on its work queue.
          await onResources(resources, `SQS DeleteMessage on ${queue.deadLetterQueue.name}`, () =>
            remove(resources.sqs, queue.deadLetterQueue.url, message));
          replayed.push({ queue: queue.name, id: message.MessageId ?? '' });
        }
      }
      if (options.id !== undefined && replayed.length === 0 && failed.length === 0) {
        throw new CliError(`No dead letter with id ${options.id} in the ${resources.where}: see \`npx bridge dlq list\`.`);
      }
      if (globals.json) printJson(io, { where: resources.where, replayed, failed });
      else {
        for (const entry of replayed) io.stdout(`replayed ${entry.id} to ${entry.queue}\n`);
        for (const entry of failed) io.stderr(`not replayed ${entry.id} (${entry.queue}): ${entry.error}; it stays in the DLQ\n`);
        if (replayed.length === 0 && failed.length === 0) io.stdout(`No dead letters in the ${resources.where}.\n`);
      }
      setExitCode(command, failed.length > 0 ? 1 : 0);
    });
}
