// Protects "versions are pinned in one file": helpers/kafka/versions.json. The files that cannot read it
// (docker-compose.yml, read by Compose alone; the Maven pom's fallback, which resolve.sh overrides) repeat a
// version once each, and fail here the day they disagree with it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import versions from '../../helpers/kafka/versions.json' with { type: 'json' };

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('pinned versions', () => {
  it('docker-compose.yml names the Kafka image once, as versions.json defaultImage, and every Kafka service uses it', () => {
    const compose = read('docker-compose.yml');
    expect(compose.match(/confluentinc\/cp-kafka:[^\s"']+/g)).toEqual([versions.defaultImage]);
    expect(compose).toContain(`x-kafka-image: &kafka-image ${versions.defaultImage}\n`);
    const images = [...compose.matchAll(/^\s*image:\s*(\S+)/gm)].map((match) => match[1]);
    // kafka, and the cluster node template of kafka-1..3; the others are the Pact Broker and its database.
    expect(images.filter((image) => image === '*kafka-image')).toHaveLength(2);
    expect(images.filter((image) => image !== '*kafka-image' && /kafka/.test(image ?? ''))).toEqual([]);
  });

  it('the Kafka jars pom falls back to the Apache Kafka version of versions.json', () => {
    expect(read('helpers/kafka/jars/pom.xml')).toContain(`<kafka.version>${versions.kafka}</kafka.version>`);
  });
});
