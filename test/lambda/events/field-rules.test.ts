import { createHash, createHmac } from 'node:crypto';
import {
  applyFieldRules,
  type FieldHashKey,
  HashKeyMissingError,
  hashValue,
  maskValue,
  normaliseForHash,
  pathMatches,
  type RedactionRules,
  rulesChange,
} from '../../../lambda/events/field-rules';
import { truncateIp } from '../../../lambda/events/pipeline';

const key: FieldHashKey = { version: 'v1', secret: 'a test key' };
const hmac = (text: string, secret = key.secret) =>
  `hmac-sha256:v1:${createHmac('sha256', secret).update(text).digest('hex')}`;
const rules = (extra: Partial<RedactionRules>): RedactionRules => ({ drop: [], hash: [], ...extra });
const apply = <T extends object>(
  record: T,
  extra: Partial<RedactionRules>,
  withKey: FieldHashKey | null = key,
) => applyFieldRules(record, rules(extra), withKey ?? undefined, truncateIp);

describe('keyed hashing (redact.hash)', () => {
  it('replaces a value by its HMAC-SHA256 under the deployment key, prefixed with the key version', () => {
    expect(apply({ traits: { email: 'ann@example.com' } }, { hash: ['traits.email'] })).toEqual({
      traits: { email: hmac('ann@example.com') },
    });
  });

  it('hashes differently under another key, so a list of candidate emails cannot reverse it without the key', () => {
    const other = { version: 'v1', secret: 'another key' };
    expect(hashValue('ann@example.com', 'hmac-sha256', key)).not.toBe(
      hashValue('ann@example.com', 'hmac-sha256', other),
    );
    expect(hashValue('ann@example.com', 'hmac-sha256', key)).not.toContain(
      createHash('sha256').update('ann@example.com').digest('hex'),
    );
  });

  it('keeps the plain hex SHA-256 of earlier versions with hashAlgorithm sha256, needing no key', () => {
    expect(
      apply(
        { traits: { email: 'ann@example.com' } },
        { hash: ['traits.email'], hashAlgorithm: 'sha256' },
        null,
      ),
    ).toEqual({
      traits: { email: createHash('sha256').update('ann@example.com').digest('hex') },
    });
  });

  it('trims values and lower-cases emails before hashing, so the same address hashes equally', () => {
    expect(normaliseForHash('  Ann@Example.COM ')).toBe('ann@example.com');
    expect(normaliseForHash(' User-42 ')).toBe('User-42');
    expect(normaliseForHash(42)).toBe('42');
    expect(hashValue(' Ann@Example.com', 'hmac-sha256', key)).toBe(hmac('ann@example.com'));
  });

  it('leaves a value a keyed hash already made as it is, so applying the rules twice changes nothing', () => {
    const once = apply({ traits: { email: 'ann@example.com' } }, { hash: ['*.email'] });
    expect(apply(once, { hash: ['*.email'] })).toEqual(once);
  });

  it('refuses to hash without a key rather than write the plain value or an unkeyed hash', () => {
    expect(() => apply({ traits: { email: 'ann@example.com' } }, { hash: ['traits.email'] }, null)).toThrow(
      HashKeyMissingError,
    );
  });

  it('keeps null as null', () => {
    expect(apply({ traits: { email: null } }, { hash: ['traits.email'] })).toEqual({
      traits: { email: null },
    });
  });
});

describe('paths with *', () => {
  const event = {
    email: 'top-level stays',
    traits: { email: 'a@example.com' },
    context: { traits: { email: 'a@example.com' } },
    properties: { user: { email: 'a@example.com' }, products: [{ email: 'b@example.com' }, 'x'] },
  };

  it('matches the field at any depth under context, properties and traits, through arrays', () => {
    const hashed = apply(event, { hash: ['*.email'] });
    expect(hashed).toEqual({
      email: 'top-level stays',
      traits: { email: hmac('a@example.com') },
      context: { traits: { email: hmac('a@example.com') } },
      properties: {
        user: { email: hmac('a@example.com') },
        products: [{ email: hmac('b@example.com') }, 'x'],
      },
    });
    expect(event.traits.email).toBe('a@example.com');
  });

  it('drops every match of a * path and keeps the rest', () => {
    expect(apply(event, { drop: ['properties.*.email'] })).toEqual({
      ...event,
      properties: { user: {}, products: [{}, 'x'] },
    });
  });

  it('never walks into the prototype', () => {
    const hostile = JSON.parse('{"context":{"__proto__":{"polluted":"yes"}}}');
    apply(hostile, { drop: ['*.polluted'], hash: ['*.__proto__'] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('mask', () => {
  it('keeps the configured prefix and suffix and stars the rest', () => {
    expect(maskValue('4111111111111111', 0, 4)).toBe('************1111');
    expect(maskValue('ann@example.com', 1, 4)).toBe('a**********.com');
    expect(maskValue('ab', 1, 1)).toBe('**');
    expect(
      apply(
        { properties: { card: '4111111111111111' } },
        { mask: [{ path: 'properties.card', keepEnd: 4 }] },
      ),
    ).toEqual({
      properties: { card: '************1111' },
    });
  });

  it('removes a masked field that is neither a string nor a number rather than keep it whole', () => {
    expect(
      apply({ properties: { card: { number: '4111' } } }, { mask: [{ path: 'properties.card' }] }),
    ).toEqual({
      properties: {},
    });
  });
});

describe('which fields rules change (pathMatches, rulesChange)', () => {
  it('matches * against one or more segments, and a rule path against the field or its parents', () => {
    expect(pathMatches('*.email', 'traits.email')).toBe(true);
    expect(pathMatches('*.email', 'context.traits.email')).toBe(true);
    expect(pathMatches('*.email', 'email')).toBe(false);
    expect(pathMatches('traits.email', 'traits.emails')).toBe(false);
    expect(rulesChange({ drop: ['properties.user'], hash: [] }, 'properties.user.email')).toBe(true);
    expect(rulesChange({ drop: [], hash: ['*.email'] }, 'traits.plan')).toBe(false);
  });
});
