#!/usr/bin/env node
// The `ratings-kafka` CLI: topics, produce, consume, verify. See `ratings-kafka --help`.
import { processIo } from '../helpers/cli/command.ts';
import { main } from '../helpers/cli/main.ts';

process.exitCode = await main(process.argv.slice(2), processIo());
