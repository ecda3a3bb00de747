// Protects key-based partitioning: our murmur2 is Kafka's, bit for bit, so a Java/Spark producer and
// ours put the same userId on the same partition.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { javaDefaultPartition, murmur2 } from '../../helpers/partitioner/murmur2.ts';

// The vectors of Kafka's own UtilsTest.testMurmur2 (org.apache.kafka.common.utils).
const KAFKA_VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
];

describe('murmur2 partitioner', () => {
  it.each(KAFKA_VECTORS)("hashes %j to Kafka's value %i", (key, expected) => {
    expect(murmur2(Buffer.from(key))).toBe(expected);
  });

  it('always returns a partition in range, the same for the same key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.integer({ min: 1, max: 1_000 }), (key, partitions) => {
        const partition = javaDefaultPartition(key, partitions);
        expect(partition).toBeGreaterThanOrEqual(0);
        expect(partition).toBeLessThan(partitions);
        expect(javaDefaultPartition(Uint8Array.from(key), partitions)).toBe(partition);
      }),
      { numRuns: 2_000 },
    );
  });

  it('masks the sign bit the way Java does (toPositive), not Math.abs', () => {
    // A key whose hash is negative: Math.abs and `& 0x7fffffff` disagree on it.
    const key = 'foobar';
    expect(murmur2(Buffer.from(key))).toBeLessThan(0);
    expect(javaDefaultPartition(key, 3)).toBe((-790332482 & 0x7fffffff) % 3);
  });
});
