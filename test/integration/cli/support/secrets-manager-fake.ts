/**
 * A loopback stand-in for AWS Secrets Manager's JSON protocol (`X-Amz-Target: secretsmanager.<Operation>`), enough
 * for GetSecretValue, PutSecretValue and CreateSecret as AWS documents them: an unknown name is a
 * ResourceNotFoundException, CreateSecret of an existing name a ResourceExistsException.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SecretsManagerFake {
  endpoint: string;
  secrets: Map<string, string>;
  /** Operations received, in order. */
  calls: string[];
  close(): Promise<void>;
}

export async function startSecretsManagerFake(initial: Record<string, string> = {}): Promise<SecretsManagerFake> {
  const secrets = new Map(Object.entries(initial));
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const operation = String(req.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
      calls.push(operation);
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string; Name?: string; SecretString?: string };
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
      };
      const notFound = () => answer(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
      if (operation === 'GetSecretValue') {
        const value = secrets.get(input.SecretId ?? '');
        return value === undefined ? notFound() : answer(200, { ARN: arn(input.SecretId!), Name: input.SecretId, SecretString: value, VersionId: 'v1' });
      }
      if (operation === 'PutSecretValue') {
        if (!secrets.has(input.SecretId ?? '')) return notFound();
        secrets.set(input.SecretId!, input.SecretString ?? '');
        return answer(200, { ARN: arn(input.SecretId!), Name: input.SecretId, VersionId: 'v2' });
      }
      if (operation === 'CreateSecret') {
        if (secrets.has(input.Name ?? '')) return answer(400, { __type: 'ResourceExistsException', message: 'the secret already exists.' });
        secrets.set(input.Name!, input.SecretString ?? '');
        return answer(200, { ARN: arn(input.Name!), Name: input.Name, VersionId: 'v1' });
      }
      answer(400, { __type: 'InvalidRequestException', message: `unsupported operation ${operation}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    secrets,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
