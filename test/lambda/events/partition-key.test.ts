import { createHash } from 'node:crypto';
import { MAX_PARTITION_KEY_LENGTH, partitionKeyFor } from '../../../lambda/events/partition-key';

const eventId = 'ajs-next-1795302924990-048d8f1d-61d8-4f5c-8b25-aa9860ae5fc7';
const anonymousId = '8d8f1d61-d8af-4c4b-a5aa-9860ae5fc7f2';

describe('partitionKeyFor', () => {
  it('uses userId first, so one user keeps one shard', () => {
    // Act
    const key = partitionKeyFor({ eventId, userId: 'user-b1', anonymousId }, 'user');

    // Assess
    expect(key).toBe('user-b1');
  });

  it('uses anonymousId when userId is null', () => {
    // Act
    const key = partitionKeyFor({ eventId, userId: null, anonymousId }, 'user');

    // Assess
    expect(key).toBe(anonymousId);
  });

  it('uses anonymousId when userId is empty', () => {
    // Act
    const key = partitionKeyFor({ eventId, userId: '', anonymousId }, 'user');

    // Assess
    expect(key).toBe(anonymousId);
  });

  it('uses event_id with the event_id strategy even when the user is known', () => {
    // Act
    const key = partitionKeyFor({ eventId, userId: 'user-b1', anonymousId }, 'event_id');

    // Assess
    expect(key).toBe(eventId);
  });

  it('keeps a key of exactly 256 characters as it is', () => {
    // Prepare
    const userId = 'u'.repeat(MAX_PARTITION_KEY_LENGTH);

    // Act
    const key = partitionKeyFor({ eventId, userId, anonymousId: null }, 'user');

    // Assess
    expect(MAX_PARTITION_KEY_LENGTH).toBe(256);
    expect(key).toBe(userId);
  });

  it('replaces a key over 256 characters by its SHA-256 in 64 hex characters', () => {
    // Prepare
    const userId = 'u'.repeat(257);

    // Act
    const key = partitionKeyFor({ eventId, userId, anonymousId: null }, 'user');

    // Assess
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).toBe(createHash('sha256').update(userId).digest('hex'));
  });

  it('gives two long keys sharing their first 256 characters different partition keys', () => {
    // Prepare
    const prefix = 'tenant-42/'.padEnd(MAX_PARTITION_KEY_LENGTH, 'x');

    // Act
    const first = partitionKeyFor({ eventId, userId: `${prefix}-alice`, anonymousId: null }, 'user');
    const second = partitionKeyFor({ eventId, userId: `${prefix}-bob`, anonymousId: null }, 'user');

    // Assess
    expect(first).not.toBe(second);
    expect(first).not.toBe(prefix);
  });

  it('gives the same long id the same partition key every time, so its order is kept', () => {
    // Prepare
    const userId = 'é'.repeat(300);

    // Act
    const keys = [1, 2, 3].map(() => partitionKeyFor({ eventId, userId, anonymousId: null }, 'user'));

    // Assess
    expect(new Set(keys).size).toBe(1);
  });
});
