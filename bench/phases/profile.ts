// Our producer and consumer under `node --cpu-prof`: where their CPU time goes.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchTopics } from '../bench-topic.ts';
import { summariseProfile } from '../cpu-profile.ts';
import type { ProfileSummary } from '../results.ts';
import { oursConsume, oursProduce } from '../tools/ours-cli.ts';

/**
 * Profiles `ratings-kafka produce` over `events` seeded events, then `consume` of the same topic; the
 * .cpuprofile files stay in `folder` for a closer look (Chrome DevTools, speedscope).
 */
export async function profileOurs(
  topics: BenchTopics,
  brokers: string[],
  seed: number,
  events: number,
  folder: string,
): Promise<ProfileSummary[]> {
  const topic = await topics.create('profile');
  const producerDir = join(folder, 'produce');
  const consumerDir = join(folder, 'consume');
  await oursProduce(
    { brokers, topic, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', producerDir] },
    events,
    seed,
  );
  await oursConsume(
    { brokers, topic, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', consumerDir] },
    events,
    `bench-profile-${randomUUID()}`,
  );
  return [
    await summariseProfile(await onlyProfile(producerDir), 'ratings-kafka produce', events),
    await summariseProfile(await onlyProfile(consumerDir), 'ratings-kafka consume', events),
  ];
}

async function onlyProfile(folder: string): Promise<string> {
  const files = (await readdir(folder)).filter((file) => file.endsWith('.cpuprofile'));
  if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${folder}, found ${files.length}`);
  return join(folder, files[0]!);
}
