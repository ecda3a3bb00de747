// Owns one KafkaJvm in a process of its own, so a spec can kill the owner and watch what happens to the
// JVM. Usage: node specs/support/jvm-owner-child.ts <ownedDir>; prints {"pid": <the JVM's pid>} and waits.
import { writeSync } from 'node:fs';
import { sleepingJvm } from './sleeping-jvm.ts';

const [ownedDir] = process.argv.slice(2);
if (!ownedDir) {
  process.stderr.write('usage: jvm-owner-child.ts <ownedDir>\n');
  process.exit(2);
}
const jvm = sleepingJvm(ownedDir);
jvm.launch();
writeSync(1, `${JSON.stringify({ pid: jvm.pid })}\n`);
