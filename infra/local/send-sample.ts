/**
 * `npm run send-sample`: posts the documented Backtrace webhook body to the running local stack (`npm start`), with
 * the integration's Basic credentials, then waits for the link and prints the Jira issue it became.
 * `npm run send-sample -- --new` sends it with a fresh fingerprint (a new error group, so a new issue); without it,
 * a second run shows the same issue again (exactly one issue per fingerprint).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseStoredCredentials } from '../../shared/domain/basic-auth.ts';
import { LocalSecretSource } from '../../shared/adapters/secrets/local-secret-source.ts';
import { LOCAL_STATE_FILE, type LocalState } from './local-state.ts';

const { values } = parseArgs({ options: { new: { type: 'boolean', default: false }, timeout: { type: 'string', default: '30' } } });

let state: LocalState;
try {
  state = JSON.parse(readFileSync(LOCAL_STATE_FILE, 'utf8')) as LocalState;
} catch {
  console.error('The local stack is not running: start it with `npm start` (in another terminal) first.');
  process.exit(1);
}
const config = JSON.parse(readFileSync(state.configFile, 'utf8')) as { integrations: { name: string; backtrace: { universe: string; project: string }; ingest: { basicAuthSecret: string } }[] };
const group = JSON.parse(readFileSync(new URL('./sample-backtrace-group.json', import.meta.url), 'utf8')) as Record<string, unknown> & { universe: string; project: string; fingerprint: string };
if (values.new) group.fingerprint = randomBytes(32).toString('hex');

const integration = config.integrations.find((candidate) => candidate.backtrace.universe === group.universe && candidate.backtrace.project === group.project);
if (!integration) {
  console.error(`No integration in ${state.configFile} takes universe "${group.universe}", project "${group.project}" (the sample's).`);
  process.exit(1);
}
const secretName = integration.ingest.basicAuthSecret;
const credentials = parseStoredCredentials(await new LocalSecretSource({ file: state.secretsFile }).get(secretName), secretName);
const authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

let response: Response;
try {
  response = await fetch(`${state.url}/backtrace/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization },
    body: JSON.stringify(group),
  });
} catch {
  console.error(`Nothing answers at ${state.url}: start the local stack with \`npm start\` (in another terminal) first.`);
  process.exit(1);
}
const answer = await response.text();
console.log(`POST ${state.url}/backtrace/events -> ${response.status} ${answer}`);
if (response.status !== 202) process.exit(1);
if ((JSON.parse(answer) as { accepted?: unknown[] }).accepted?.length === 0) {
  console.log('The integration\'s rules filtered the sample: no Jira issue is made for it.');
  process.exit(0);
}

const deadline = Date.now() + Number(values.timeout) * 1000;
while (Date.now() < deadline) {
  const link = await fetch(`${state.url}/local/links/${encodeURIComponent(integration.name)}/${group.fingerprint}`);
  if (link.status === 200) {
    const body = (await link.json()) as { status: string; issueKey?: string; issueUrl?: string; ticketAttached?: boolean };
    if (body.status === 'linked') {
      console.log(`Fingerprint ${group.fingerprint.slice(0, 12)}… -> Jira issue ${body.issueKey} (${body.issueUrl})${body.ticketAttached ? ', linked on the Backtrace fingerprint' : ''}`);
      process.exit(0);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
console.error(`No Jira issue after ${values.timeout} s: see the \`npm start\` terminal for the reason.`);
process.exit(1);
