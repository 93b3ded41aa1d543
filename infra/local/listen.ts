/** Starting a local server: every one of the local stack's servers listens the same way. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on `host:port` (default 127.0.0.1 and a free port) and resolves with the address taken; a failure to
 * listen (the port in use) rejects instead of becoming an unhandled 'error' event.
 */
export async function listen(server: Server, port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
