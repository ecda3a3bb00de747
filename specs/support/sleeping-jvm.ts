// A KafkaJvm whose "java" is a shell that sleeps: for specs about who stops a broker's process, where
// what runs inside it does not matter.
import { join } from 'node:path';
import { KafkaJvm } from '../../helpers/kafka/native/jvm-process.ts';

/** Runs `sh -c 'exec sleep 600' kafka.Kafka <config>`: the main class and config become $0 and $1. */
export function sleepingJvm(dir: string): KafkaJvm {
  return new KafkaJvm({
    java: 'sh',
    jvmArgs: ['-c', 'exec sleep 600'],
    configFile: join(dir, 'server.properties'),
    workDir: dir,
    logFile: join(dir, 'server.log'),
    consoleFile: join(dir, 'console.log'),
    brokers: ['127.0.0.1:9'],
    label: 'a sleeping stand-in JVM',
    readyTimeoutMs: 1_000,
    shutdownTimeoutMs: 1_000,
    ownedDir: dir,
  });
}
