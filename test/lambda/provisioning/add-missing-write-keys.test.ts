import {
  addMissingWriteKeys,
  UnreadableWriteKeysError,
} from '../../../lambda/provisioning/add-missing-write-keys';

/** A key generator that numbers its keys, so a test sees which source got which. */
const numberedKeys = () => {
  let next = 0;
  return () => `generated-${++next}`;
};

describe('addMissingWriteKeys', () => {
  it('adds a generated key for each source without an entry, after the entries that are there', () => {
    // Prepare
    const secret = JSON.stringify({ default: 'wk_generated_at_creation' });

    // Act
    const result = addMissingWriteKeys(secret, ['default', 'web-shop', 'backend'], numberedKeys());

    // Assess
    expect(result.added).toEqual(['web-shop', 'backend']);
    expect(JSON.parse(result.secretString)).toEqual({
      default: 'wk_generated_at_creation',
      'web-shop': 'generated-1',
      backend: 'generated-2',
    });
  });

  it('never overwrites an entry, whatever its value, and keeps entries of sources not listed', () => {
    // Prepare
    const entries = { 'web-shop': ['wk_new', 'wk_old'], backend: [], retired: 'wk_retired' };
    const secret = JSON.stringify(entries);

    // Act
    const result = addMissingWriteKeys(secret, ['web-shop', 'backend'], numberedKeys());

    // Assess
    expect(result.added).toEqual([]);
    expect(result.secretString).toBe(secret);
  });

  it('generates one key for a source id listed twice', () => {
    // Act
    const result = addMissingWriteKeys('{}', ['web-shop', 'web-shop'], numberedKeys());

    // Assess
    expect(JSON.parse(result.secretString)).toEqual({ 'web-shop': 'generated-1' });
  });

  it.each([
    ['text that is not JSON', 'wk_plain'],
    ['a JSON array', '["wk_a"]'],
    ['JSON null', 'null'],
  ])('refuses a secret holding %s instead of replacing it', (_, secret) => {
    expect(() => addMissingWriteKeys(secret, ['default'], numberedKeys())).toThrow(UnreadableWriteKeysError);
  });
});
