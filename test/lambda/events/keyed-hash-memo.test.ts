import { createHmac } from 'node:crypto';
import { type FieldHashKey, keyedHash, keyedHashesHeld } from '../../../lambda/events/field-rules';
import { KeyedHashMemo } from '../../../lambda/events/keyed-hash-memo';

const hmac = (key: FieldHashKey, text: string) =>
  `hmac-sha256:${key.version}:${createHmac('sha256', key.secret).update(text).digest('hex')}`;

describe('the memo of keyed hashes (KeyedHashMemo)', () => {
  it('keeps a text the second time it is hashed and answers it from memory from then on', () => {
    const made: string[] = [];
    const memo = new KeyedHashMemo((text) => {
      made.push(text);
      return `hash of ${text}`;
    }, 10);
    for (let time = 0; time < 5; time++)
      expect(memo.hashOf('ann@example.com')).toBe('hash of ann@example.com');
    expect(made).toEqual(['ann@example.com', 'ann@example.com']);
    expect(memo.size).toBe(1);
  });

  it('keeps nothing of texts hashed only once, so values that never repeat fill no memory', () => {
    const memo = new KeyedHashMemo((text) => `hash of ${text}`, 100);
    for (let index = 0; index < 1_000; index++) memo.hashOf(`once-${index}@example.com`);
    expect(memo.size).toBeLessThan(5);
  });

  it('never holds more than its capacity, however many different texts it sees', () => {
    const memo = new KeyedHashMemo((text) => `hash of ${text}`, 100);
    let largest = 0;
    let wrong = 0;
    for (let index = 0; index < 1_000; index++) {
      for (const _time of [1, 2]) {
        if (memo.hashOf(`user-${index}@example.com`) !== `hash of user-${index}@example.com`) wrong++;
      }
      largest = Math.max(largest, memo.size);
    }
    expect(wrong).toBe(0);
    expect(largest).toBeLessThanOrEqual(100);
    expect(largest).toBeGreaterThanOrEqual(50);
  });

  it('keeps a text that is used again while new texts pass through, and forgets one no longer used', () => {
    const made: string[] = [];
    const memo = new KeyedHashMemo((text) => {
      made.push(text);
      return `hash of ${text}`;
    }, 10);
    for (let index = 0; index < 50; index++) {
      memo.hashOf('regular@example.com');
      memo.hashOf(`passing-${index}@example.com`);
      memo.hashOf(`passing-${index}@example.com`);
    }
    expect(made.filter((text) => text === 'regular@example.com')).toHaveLength(2);
    memo.hashOf('passing-0@example.com');
    expect(made.filter((text) => text === 'passing-0@example.com')).toHaveLength(3);
  });

  it('holds at most 10,000 entries unless told otherwise', () => {
    expect(new KeyedHashMemo((text) => text).capacity).toBe(10_000);
  });

  it('refuses a capacity it cannot keep, naming the value', () => {
    expect(() => new KeyedHashMemo((text) => text, 1)).toThrow(
      'capacity must be an integer of at least 2, got 1',
    );
  });
});

describe('keyed hashes through the memo (keyedHash)', () => {
  it('gives the HMAC of the text with the key it is asked for, also when another key hashed the same text', () => {
    const first: FieldHashKey = { version: 'v1', secret: 'the first key' };
    const second: FieldHashKey = { version: 'v1', secret: 'the second key' };
    expect(keyedHash(first, 'ann@example.com')).toBe(hmac(first, 'ann@example.com'));
    expect(keyedHash(second, 'ann@example.com')).toBe(hmac(second, 'ann@example.com'));
    expect(keyedHash(first, 'ann@example.com')).toBe(hmac(first, 'ann@example.com'));
    expect(keyedHash(second, 'ann@example.com')).not.toBe(keyedHash(first, 'ann@example.com'));
  });

  it('keeps one memo per key object, so two keys never share an entry', () => {
    const first: FieldHashKey = { version: 'v2', secret: 'key one' };
    const second: FieldHashKey = { version: 'v2', secret: 'key two' };
    for (const text of ['a@example.com', 'b@example.com', 'a@example.com', 'b@example.com']) {
      keyedHash(first, text);
    }
    expect(keyedHashesHeld(first)).toBe(2);
    expect(keyedHashesHeld(second)).toBe(0);
    keyedHash(second, 'a@example.com');
    keyedHash(second, 'a@example.com');
    expect(keyedHashesHeld(second)).toBe(1);
    expect(keyedHashesHeld(first)).toBe(2);
  });
});
