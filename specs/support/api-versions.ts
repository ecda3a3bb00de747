import { Socket } from 'node:net';
import { InfrastructureError } from '../../helpers/errors.ts';

/** One entry of an ApiVersions answer. */
export interface ApiVersionRange {
  minVersion: number;
  maxVersion: number;
}

const API_VERSIONS_KEY = 18;

/**
 * Sends a raw ApiVersions v0 request to one broker and decodes the answer, independently of any
 * client library: proof that a real Kafka broker is at the other end of the socket.
 */
export function apiVersions(broker: string, timeoutMs = 5_000): Promise<Map<number, ApiVersionRange>> {
  const [host, port] = splitHostPort(broker);
  const clientId = Buffer.from('kafka-contracts');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(API_VERSIONS_KEY, 0);
  body.writeInt16BE(0, 2); // version 0: no tagged fields, understood by every broker
  body.writeInt32BE(1, 4); // correlation id
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const frame = Buffer.concat([int32(body.length), body]);

  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = Buffer.alloc(0);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`ApiVersions to ${broker} timed out`)));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.end();
      try {
        resolve(decode(received.subarray(4)));
      } catch (error) {
        reject(error);
      }
    });
    socket.connect(port, host, () => socket.write(frame));
  });
}

function decode(response: Buffer): Map<number, ApiVersionRange> {
  const errorCode = response.readInt16BE(4);
  if (errorCode !== 0) throw new InfrastructureError(`ApiVersions answered error code ${errorCode}`);
  const count = response.readInt32BE(6);
  const ranges = new Map<number, ApiVersionRange>();
  for (let i = 0, at = 10; i < count; i++, at += 6) {
    ranges.set(response.readInt16BE(at), {
      minVersion: response.readInt16BE(at + 2),
      maxVersion: response.readInt16BE(at + 4),
    });
  }
  return ranges;
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function splitHostPort(broker: string): [string, number] {
  const at = broker.lastIndexOf(':');
  return [broker.slice(0, at), Number(broker.slice(at + 1))];
}
