// Protects how brokers we start get their ports: distinct, free, and below the kernel's ephemeral range,
// where no client's outgoing connection (nor a connection to itself, while a bounced broker is down)
// can hold the port a broker binds again on restart.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralRangeStart, freePorts } from '../../helpers/kafka/native/ports.ts';

const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

describe('freePorts', () => {
  it('returns distinct ports that are free, below the ephemeral range', async () => {
    const ports = await freePorts(12);
    expect(new Set(ports).size).toBe(12);
    const ceiling = ephemeralRangeStart();
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(ceiling);
      expect(await bindable(port)).toBe(true);
    }
  });

  it('skips a port someone is listening on, and one it already handed out', async () => {
    const [held] = await freePorts(1);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(held, '127.0.0.1', resolve));
    try {
      // The first picks all land on the held port, then on the first port handed out: both are skipped.
      let calls = 0;
      const picks: number[] = [];
      const ports = await freePorts(2, (low, high) => {
        calls++;
        if (calls <= 3) return held!;
        const port =
          picks.length > 0 && calls <= 6 ? picks[0]! : low + Math.floor(Math.random() * (high - low));
        picks.push(port);
        return port;
      });
      expect(ports).not.toContain(held);
      expect(new Set(ports).size).toBe(2);
      expect(calls).toBeGreaterThanOrEqual(7);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
