import { WRITE_KEY_ALPHABET, WRITE_KEY_LENGTH } from '../../../lambda/contract/write-keys-secret';
import { randomWriteKey } from '../../../lambda/provisioning/random-write-key';

describe('randomWriteKey', () => {
  it('makes keys of 40 letters and digits that differ from each other', () => {
    // Act
    const keys = Array.from({ length: 50 }, () => randomWriteKey());

    // Assess
    expect(WRITE_KEY_LENGTH).toBe(40);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('drops the bytes that would make the first characters more likely instead of wrapping them around', () => {
    // Prepare: 248 is the first byte at or above the largest multiple of 62 a byte reaches.
    const batches = [Buffer.alloc(WRITE_KEY_LENGTH, 248), Buffer.alloc(WRITE_KEY_LENGTH, 61)];
    const random = () => batches.shift() ?? Buffer.alloc(WRITE_KEY_LENGTH, 0);

    // Act
    const key = randomWriteKey(random);

    // Assess
    expect(key).toBe(WRITE_KEY_ALPHABET[61]?.repeat(WRITE_KEY_LENGTH));
  });
});
