// Free loopback ports for brokers this project starts.
import { createServer } from 'node:net';

/** Distinct ports that are free on loopback right now. */
export async function freePorts(count: number): Promise<number[]> {
  // All listeners stay open until every port is known, so the OS cannot hand out the same one twice.
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('loopback listener has no port');
    return address.port;
  });
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
