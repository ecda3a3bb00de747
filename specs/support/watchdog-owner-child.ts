// Owns what a watchdog guards, in a process of its own, so a spec can kill the owner and watch what the
// watchdog does. Prints one JSON line once it is set up, then waits.
// Usage: node specs/support/watchdog-owner-child.ts jvm <ownedDir>      (prints {"pid": <the JVM's pid>})
//        node specs/support/watchdog-owner-child.ts container <id>      (prints {"ready": true})
import { writeSync } from 'node:fs';
import { containerWatchdog } from '../../helpers/kafka/watchdog.ts';
import { sleepingJvm } from './sleeping-jvm.ts';

const [kind, arg] = process.argv.slice(2);
if (kind === 'jvm' && arg) {
  const jvm = sleepingJvm(arg);
  jvm.launch();
  writeSync(1, `${JSON.stringify({ pid: jvm.pid })}\n`);
} else if (kind === 'container' && arg) {
  containerWatchdog(arg, { TESTCONTAINERS_RYUK_DISABLED: 'true' });
  writeSync(1, `${JSON.stringify({ ready: true })}\n`);
  // Nothing else keeps this process alive: the watchdog's pipe is unreferenced on purpose.
  setInterval(() => {}, 60_000);
} else {
  process.stderr.write('usage: watchdog-owner-child.ts jvm <ownedDir> | container <id>\n');
  process.exit(2);
}
