/** Reused by {@link javaDefaultPartition} for string keys up to 341 UTF-16 units (a userId takes 1-6). */
const KEY_SCRATCH = Buffer.allocUnsafe(1024);

/**
 * Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), bit for bit: the hash the Java
 * client's default partitioner uses for keyed records. Seed 0x9747b28c, 32-bit arithmetic. Hashes the
 * first `length` bytes (all by default).
 */
export function murmur2(data: Uint8Array, length = data.length): number {
  const m = 0x5bd1e995;
  const r = 24;
  let h = (0x9747b28c ^ length) | 0;
  const blocks = length >> 2;
  for (let i = 0; i < blocks; i++) {
    const at = i * 4;
    let k =
      (data[at]! & 0xff) |
      ((data[at + 1]! & 0xff) << 8) |
      ((data[at + 2]! & 0xff) << 16) |
      ((data[at + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  const tail = blocks * 4;
  // Java mixes the 1-3 trailing bytes with a fall-through switch; the same, as cumulative ifs.
  const rest = length & 3;
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The Java client's default partition for a keyed record: murmur2, made positive, modulo partitions. */
export function javaDefaultPartition(key: Uint8Array | string, partitions: number): number {
  if (typeof key !== 'string') return (murmur2(key) & 0x7fffffff) % partitions;
  // The producer calls this for every record: encode a string key into one reused buffer instead of
  // allocating a Buffer per record. A UTF-16 unit takes at most 3 UTF-8 bytes, so a key that passes the
  // length check fits whole (`write` would silently stop short of one that does not).
  if (key.length * 3 > KEY_SCRATCH.length)
    return (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % partitions;
  const length = KEY_SCRATCH.write(key, 'utf8');
  return (murmur2(KEY_SCRATCH, length) & 0x7fffffff) % partitions;
}
