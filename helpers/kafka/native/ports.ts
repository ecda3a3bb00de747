// Free loopback ports for brokers this project starts, picked below the kernel's ephemeral range.
//
// A port from the ephemeral range (what listening on port 0 returns) is also what the kernel hands out
// as the local port of outgoing connections. While a broker we bounce is down, its clients keep
// connecting to its port; one of those attempts can get that very port as its local port and connect to
// itself (TCP simultaneous open), and any other connection may hold it: the broker then fails to bind
// it on restart. Below the range neither happens, and two suites side by side, each picking at random,
// rarely meet; a port taken by anyone is skipped by the bind check.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/** Where our picks start: above the well-known services, under the ephemeral range. */
const LOWEST_PICK = 20_000;
/** Picks tried per port before falling back to one the kernel chooses. */
const ATTEMPTS = 64;

/** The first port of the kernel's ephemeral range (Linux reads it; elsewhere the IANA range, 49152). */
export function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const start = Number(low);
    return Number.isInteger(start) && start > 0 ? start : 49_152;
  } catch {
    return 49_152;
  }
}

/** A listener on `port` (0: the kernel picks), or undefined when the port is taken. */
function listen(port: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (port !== 0 && (error.code === 'EADDRINUSE' || error.code === 'EACCES')) resolve(undefined);
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Picks a candidate port in [low, high). */
export type PortPicker = (low: number, high: number) => number;

const randomPick: PortPicker = (low, high) => low + Math.floor(Math.random() * (high - low));

/** Holds a free port below the ephemeral range, or one the kernel picks when that range is empty or full. */
async function holdPort(taken: ReadonlySet<number>, pick: PortPicker): Promise<Server> {
  const ceiling = ephemeralRangeStart();
  for (let attempt = 0; ceiling > LOWEST_PICK && attempt < ATTEMPTS; attempt++) {
    const port = pick(LOWEST_PICK, ceiling);
    if (taken.has(port)) continue;
    const server = await listen(port);
    if (server !== undefined) return server;
  }
  return (await listen(0))!;
}

/** Distinct ports that are free on loopback right now, outside the ephemeral range where it can be. */
export async function freePorts(count: number, pick: PortPicker = randomPick): Promise<number[]> {
  // Every listener stays open until all ports are known, so no port is handed out twice.
  const servers: Server[] = [];
  const ports = new Set<number>();
  try {
    while (servers.length < count) {
      const server = await holdPort(ports, pick);
      servers.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('loopback listener has no port');
      ports.add(address.port);
    }
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
  return [...ports];
}
