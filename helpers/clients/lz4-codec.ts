import kafkajs from 'kafkajs';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';

// Node's ESM loader sees only the CommonJS exports it can detect statically, and kafkajs's
// `CompressionCodecs: Compression.Codecs` is not one of them: read it off the module object.
const { CompressionCodecs, CompressionTypes } = kafkajs;

/**
 * kafkajs ships no LZ4 codec, yet every batch read from `ratings` is LZ4 (the topic's
 * `compression.type`), so without one a consumer cannot read the topic at all. Kafka uses the LZ4
 * *frame* format (magic 04 22 4D 18), which lz4-napi writes and reads with prebuilt binaries.
 */
export const lz4Codec = () => ({
  async compress(encoder: { buffer: Buffer }): Promise<Buffer> {
    return compressFrameSync(encoder.buffer);
  },
  async decompress(buffer: Buffer): Promise<Buffer> {
    return decompressFrameSync(buffer);
  },
});

/** Registers the LZ4 codec with kafkajs (idempotent); every client factory calls it. */
export function registerLz4Codec(): void {
  CompressionCodecs[CompressionTypes.LZ4] = lz4Codec;
}

/** True when kafkajs can read and write LZ4 batches in this process. */
export function lz4CodecRegistered(): boolean {
  return typeof CompressionCodecs[CompressionTypes.LZ4] === 'function';
}
