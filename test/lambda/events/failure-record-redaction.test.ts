import {
  eventFailureRecord,
  requestFailureRecord,
  serialiseFailureRecord,
} from '../../../lambda/events/failure-record';
import { type FieldHashKey, hashValue, type RedactionRules } from '../../../lambda/events/field-rules';
import { failureRecordSchemaErrors } from '../../support/envelope-schema';

const key: FieldHashKey = { version: 'v7', secret: 'a test key of the failed-events stream' };
const rules: RedactionRules = { drop: ['context.ip'], hash: ['*.email'], mask: [], ip: 'keep' };
const request = { path: '/v1/batch', contentType: 'application/json', contentEncoding: null, bytes: 99 };
const refusedEvent = {
  failure: { reason: 'userId or anonymousId is required', code: 'missing_id', stage: 'validation' as const },
  message: {
    type: 'identify',
    messageId: 'm-1',
    traits: { email: 'ann@example.com' },
    context: { ip: '203.0.113.9', traits: { email: 'ann@example.com' } },
  },
  index: 0,
  sourceId: 'web',
  receivedAtIso: '2026-12-06T19:00:00.000Z',
  request,
};
const refusedRequest = {
  failure: { reason: 'not JSON', code: 'unparseable', stage: 'request' as const },
  body: Buffer.from('{"traits":{"email":"ann@example.com"'),
  sourceId: 'web',
  receivedAtIso: '2026-12-06T19:00:00.000Z',
  request,
};

describe('failure records under field rules', () => {
  it('applies the source’s rules to the payload and says so with the key version', () => {
    const record = eventFailureRecord(refusedEvent, { rules, key });

    const hashed = hashValue('ann@example.com', 'hmac-sha256', key);
    expect(record.payload).toEqual({
      type: 'identify',
      messageId: 'm-1',
      traits: { email: hashed },
      context: { traits: { email: hashed } },
    });
    expect(record.redaction).toEqual({ applied: true, key_version: 'v7' });
    expect(new TextDecoder().decode(serialiseFailureRecord(record))).not.toMatch(
      /ann@example|203\.0\.113\.9/,
    );
    expect(failureRecordSchemaErrors(record)).toEqual([]);
  });

  it('keeps the payload as received, with no redaction facts, for a source without rules', () => {
    const record = eventFailureRecord(refusedEvent, { rules: undefined, key });

    expect(record.payload).toEqual(refusedEvent.message);
    expect(record).not.toHaveProperty('redaction');
  });

  it('drops the body of an unparseable request of a source with rules, and says it did', () => {
    const record = requestFailureRecord(refusedRequest, { rules, key });

    expect(record).not.toHaveProperty('raw');
    expect(record.redaction).toEqual({ applied: true, key_version: 'v7', raw_dropped: true });
    expect(failureRecordSchemaErrors(record)).toEqual([]);
  });

  it('keeps that body only when the source sets keepUnparseableBody', () => {
    const record = requestFailureRecord(refusedRequest, {
      rules: { ...rules, keepUnparseableBody: true },
      key,
    });

    expect(record.raw).toBe('{"traits":{"email":"ann@example.com"');
    expect(record.redaction).toEqual({ applied: true, key_version: 'v7' });
    expect(failureRecordSchemaErrors(record)).toEqual([]);
  });

  it('names no key version when the rules hash without the key', () => {
    const record = eventFailureRecord(refusedEvent, {
      rules: { ...rules, hashAlgorithm: 'sha256' },
      key: undefined,
    });

    expect(record.redaction).toEqual({ applied: true, key_version: null });
  });

  it('refuses a record with neither payload nor raw unless it says the body was dropped', () => {
    const { redaction: _facts, ...bare } = requestFailureRecord(refusedRequest, { rules, key });

    expect(failureRecordSchemaErrors(bare)).not.toEqual([]);
  });
});
