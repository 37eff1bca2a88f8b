import { WriteKeySecretFormatError, writeKeyOf } from '../../tools/verify/write-key-secret';

describe("verify-deployment's choice of a write key", () => {
  it("takes the stack's own source over the entry CloudFormation generated under default", () => {
    const secret = JSON.stringify({ default: 'wk_generated', 'web-shop': ['wk_shop', 'wk_old'] });

    expect(writeKeyOf(secret)).toEqual({ sourceId: 'web-shop', writeKey: 'wk_shop' });
  });

  it('takes the default entry when it is the only one', () => {
    expect(writeKeyOf(JSON.stringify({ default: 'wk_generated' }))).toEqual({
      sourceId: 'default',
      writeKey: 'wk_generated',
    });
  });

  it('takes the source asked for, default included', () => {
    const secret = JSON.stringify({ default: 'wk_generated', 'web-shop': 'wk_shop' });

    expect(writeKeyOf(secret, 'default').writeKey).toBe('wk_generated');
  });

  it('names the sources the secret has when the one asked for is missing', () => {
    expect(() => writeKeyOf(JSON.stringify({ default: 'wk' }), 'backend')).toThrow(
      new WriteKeySecretFormatError('the secret has no source "backend" (it has: default)'),
    );
  });
});
