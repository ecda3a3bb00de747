// Protects drift detection (only declared settings are compared, values are normalised first) and the
// consumer groups the flows join staying within the prefixes the application ACLs grant.

import { describe, expect, it } from 'vitest';
import {
  CONSUME_GROUP,
  grantedGroup,
  METRICS_READER_GROUP_PREFIX,
  VERIFY_GROUP_PREFIX,
} from '../../contracts/groups.ts';
import { PRODUCTION_OVERLAY, RATINGS_TOPIC, topicsForProfile } from '../../contracts/topics.ts';
import { driftOf } from '../../helpers/admin/ensure-topics.ts';
import { sameConfigValue } from '../../helpers/admin/topic-config.ts';

const observedRatings = {
  name: 'ratings',
  partitions: 3,
  replicationFactor: 1,
  layout: [],
  config: {
    'retention.ms': '604800000',
    'compression.type': 'lz4',
    'cleanup.policy': 'delete',
    'segment.bytes': '1073741824',
  },
};

describe('topic drift', () => {
  it('sees no drift when the declared settings match, whatever other settings the broker has', () => {
    expect(driftOf(RATINGS_TOPIC, observedRatings)).toEqual([]);
  });

  it('lists every differing setting with expected and actual values', () => {
    const drift = driftOf(RATINGS_TOPIC, {
      ...observedRatings,
      partitions: 1,
      config: { ...observedRatings.config, 'compression.type': 'producer', 'retention.ms': '86400000' },
    });
    expect(drift).toEqual([
      { setting: 'partitions', expected: '3', actual: '1' },
      { setting: 'retention.ms', expected: '604800000', actual: '86400000' },
      { setting: 'compression.type', expected: 'lz4', actual: 'producer' },
    ]);
  });

  it('reports a declared setting the broker does not return as unset', () => {
    const { 'cleanup.policy': _dropped, ...config } = observedRatings.config;
    expect(driftOf(RATINGS_TOPIC, { ...observedRatings, config })).toEqual([
      { setting: 'cleanup.policy', expected: 'delete', actual: '(unset)' },
    ]);
  });

  it.each([
    ['retention.ms', '604800000', '0604800000', true],
    ['retention.ms', '604800000', '604800001', false],
    ['cleanup.policy', 'compact,delete', 'delete, compact', true],
    ['cleanup.policy', 'delete', 'compact', false],
    ['compression.type', 'lz4', 'LZ4', true],
    ['retention.ms', '9223372036854775807', '9223372036854775807', true],
  ])('compares %s %j with %j as %s', (setting, expected, actual, same) => {
    expect(sameConfigValue(setting, expected, actual)).toBe(same);
  });

  it('applies the production overlay: replication 3 and min.insync.replicas 2 on every topic', () => {
    for (const topic of topicsForProfile('production')) {
      expect(topic.replicationFactor).toBe(PRODUCTION_OVERLAY.replicationFactor);
      expect(topic.config['min.insync.replicas']).toBe('2');
    }
    expect(topicsForProfile()).toEqual(topicsForProfile('development'));
    expect(topicsForProfile('development').every((topic) => topic.replicationFactor === 1)).toBe(true);
  });
});

describe('consumer groups', () => {
  it('are all granted by the application ACL prefixes', () => {
    for (const group of [CONSUME_GROUP, `${VERIFY_GROUP_PREFIX}-x`, `${METRICS_READER_GROUP_PREFIX}-x`])
      expect(grantedGroup(group), group).toBe(true);
    expect(grantedGroup('other-team-group')).toBe(false);
  });
});
