// `npm run kafka:cluster`: a local three-node native cluster for trying the production profile by hand.
// Prints KAFKA_BROKERS once every node is registered; Ctrl-C (or SIGTERM) stops it and removes its data.
import { parseArgs } from 'node:util';
import { EXIT, exitCodeFor } from '../errors.ts';
import { startNativeCluster } from './native-cluster.ts';

const { values } = parseArgs({
  options: { nodes: { type: 'string', default: '3' }, heap: { type: 'string' } },
});
const nodes = Number(values.nodes);
if (!Number.isInteger(nodes) || nodes < 1) {
  console.error(`kafka:cluster: --nodes must be a whole number >= 1, got ${values.nodes}`);
  process.exit(EXIT.usage);
}

try {
  const cluster = await startNativeCluster({ nodes, ...(values.heap ? { heap: values.heap } : {}) });
  console.log(`${cluster.description}, ready in ${(cluster.startupMs / 1000).toFixed(1)} s`);
  for (const node of cluster.nodes)
    console.log(`  node ${node.nodeId}  ${node.address}  log ${node.logFile}`);
  console.log(`\nexport KAFKA_BROKERS=${cluster.brokers.join(',')}\n`);
  console.log('Ctrl-C stops the cluster and removes its data.');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the cluster...`);
    cluster.stop().then(
      () => process.exit(EXIT.ok),
      (error: unknown) => {
        console.error(`kafka:cluster: stop failed: ${String(error)}`);
        process.exit(exitCodeFor(error));
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
} catch (error) {
  console.error(`kafka:cluster: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(exitCodeFor(error));
}
