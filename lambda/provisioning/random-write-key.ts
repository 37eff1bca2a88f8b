import { randomBytes } from 'node:crypto';
import { WRITE_KEY_ALPHABET, WRITE_KEY_LENGTH } from '../contract/write-keys-secret';

/** The largest multiple of the alphabet's size a byte can reach: bytes at or above it are dropped. */
const UNBIASED_LIMIT = 256 - (256 % WRITE_KEY_ALPHABET.length);

/**
 * A new write key: {@link WRITE_KEY_LENGTH} letters and digits drawn from `crypto.randomBytes`,
 * each equally likely (bytes that would favour the first letters are dropped, not wrapped around).
 * `random` is injectable so a test can show the rejection at work.
 */
export function randomWriteKey(random: (size: number) => Buffer = randomBytes): string {
  let key = '';
  while (key.length < WRITE_KEY_LENGTH) {
    for (const byte of random(WRITE_KEY_LENGTH)) {
      if (byte >= UNBIASED_LIMIT) continue;
      key += WRITE_KEY_ALPHABET[byte % WRITE_KEY_ALPHABET.length];
      if (key.length === WRITE_KEY_LENGTH) break;
    }
  }
  return key;
}
