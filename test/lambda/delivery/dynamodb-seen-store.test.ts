import { DynamoDbSeenStore } from '../../../lambda/delivery/dynamodb-seen-store';
import { useTestDynalite } from '../../support/test-dynalite';

describe('DynamoDbSeenStore against dynalite', () => {
  const dynamo = useTestDynalite();
  let clock = Date.parse('2026-12-06T12:00:00Z');
  const storeAt = () =>
    new DynamoDbSeenStore({ client: dynamo.client, tableName: dynamo.tableName, now: () => clock });
  const key = (messageId: string, destinationId = 'd') => ({ sourceId: 's', messageId, destinationId });
  const inSeconds = (seconds: number) => Math.floor(clock / 1000) + seconds;

  it('answers where each key is marked, by position, and nothing for a key never marked', async () => {
    // Prepare
    const store = storeAt();
    await store.mark([
      { key: key('a'), where: 'stream', expiresAt: inSeconds(3600) },
      { key: key('b'), where: 'spill', expiresAt: inSeconds(3600) },
    ]);

    // Act
    const seen = await store.seen([key('b'), key('never'), key('a'), key('a', 'other-destination')]);

    // Assess
    expect(seen).toEqual(['spill', undefined, 'stream', undefined]);
  });

  it('treats a mark past its expiry as absent, though dynalite (like DynamoDB for a while) still holds it', async () => {
    // Prepare
    const store = storeAt();
    await store.mark([{ key: key('old'), where: 'stream', expiresAt: inSeconds(60) }]);

    // Act
    clock += 61_000;
    const seen = await store.seen([key('old')]);

    // Assess
    expect(seen).toEqual([undefined]);
  });

  it('never lets a spill mark replace a stream mark, and lets a stream mark replace a spill mark', async () => {
    // Prepare
    const store = storeAt();
    await store.mark([
      { key: key('in-stream'), where: 'stream', expiresAt: inSeconds(3600) },
      { key: key('spilled'), where: 'spill', expiresAt: inSeconds(3600) },
    ]);

    // Act
    await store.mark([
      { key: key('in-stream'), where: 'spill', expiresAt: inSeconds(3600) },
      { key: key('spilled'), where: 'stream', expiresAt: inSeconds(3600) },
    ]);

    // Assess
    expect(await store.seen([key('in-stream'), key('spilled')])).toEqual(['stream', 'stream']);
  });

  it('reads more keys than one BatchGetItem call takes (100)', async () => {
    // Prepare
    const store = storeAt();
    const keys = Array.from({ length: 250 }, (_, index) => key(`many-${index}`));
    await store.mark(
      keys
        .filter((_, index) => index % 2 === 0)
        .map((k) => ({ key: k, where: 'stream', expiresAt: inSeconds(3600) })),
    );

    // Act
    const seen = await store.seen(keys);

    // Assess
    expect(seen.filter((where) => where === 'stream')).toHaveLength(125);
    expect(seen[248]).toBe('stream');
    expect(seen[249]).toBeUndefined();
  });
});
