import {
  authorizationProblem,
  WriteKeyRegistry,
  writeKeyFromAuthorization,
} from '../../../lambda/http/write-key';
import { loadHttpFixture } from '../../support/http-fixture';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('writeKeyFromAuthorization', () => {
  it("reads the write key analytics-next sends as Basic base64(key + ':')", () => {
    // Prepare
    const header = loadHttpFixture('browser_t').headers.authorization;

    // Act
    const key = writeKeyFromAuthorization(header);

    // Assess
    expect(key).toBe('wk_browser_probe');
  });

  it("reads analytics-node's Authorization header", () => {
    // Prepare
    const header = loadHttpFixture('node').headers.authorization;

    // Act
    const key = writeKeyFromAuthorization(header);

    // Assess
    expect(key).toBe('wk_node_probe');
  });

  it('reads a key sent without the trailing colon', () => {
    // Act
    const key = writeKeyFromAuthorization(basic('wk_browser_probe'));

    // Assess
    expect(key).toBe('wk_browser_probe');
  });

  it('ignores a password after the colon', () => {
    // Act
    const key = writeKeyFromAuthorization(basic('wk_browser_probe:secret'));

    // Assess
    expect(key).toBe('wk_browser_probe');
  });

  it.each([['basic'], ['BASIC'], ['bAsIc']])('reads the scheme %s case-insensitively', (scheme) => {
    // Prepare
    const header = `${scheme} ${Buffer.from('wk_node_probe:').toString('base64')}`;

    // Act
    const key = writeKeyFromAuthorization(header);

    // Assess
    expect(key).toBe('wk_node_probe');
  });

  it('keeps non-ASCII keys as UTF-8', () => {
    // Act
    const key = writeKeyFromAuthorization(basic('clé-日本:'));

    // Assess
    expect(key).toBe('clé-日本');
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['a Bearer token', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig'],
    ['Basic without credentials', 'Basic '],
    ['Basic with characters outside base64', 'Basic wk_node_probe!:'],
    ['Basic with two tokens', 'Basic abc def'],
    ['an empty key', basic(':')],
    ['an empty key and a password', basic(':password')],
  ])('finds no key when the header is %s', (_, header) => {
    // Act
    const key = writeKeyFromAuthorization(header);

    // Assess
    expect(key).toBeUndefined();
  });
});

describe('WriteKeyRegistry', () => {
  const registry = new WriteKeyRegistry([
    ['wk_browser_probe', 'web-shop'],
    ['wk_node_probe', 'backend'],
    ['wk_node_probe_rotated', 'backend'],
  ]);

  it('finds the owner of each registered key', () => {
    // Act
    const owners = ['wk_browser_probe', 'wk_node_probe', 'wk_node_probe_rotated'].map((key) =>
      registry.ownerOf(key),
    );

    // Assess
    expect(owners).toEqual(['web-shop', 'backend', 'backend']);
  });

  it.each([
    ['wk_browser_prob'],
    ['wk_browser_probe '],
    ['WK_BROWSER_PROBE'],
    [''],
    ['constructor'],
    ['__proto__'],
  ])('finds no owner for the unknown key %p', (key) => {
    // Act
    const owner = registry.ownerOf(key);

    // Assess
    expect(owner).toBeUndefined();
  });
});

describe('authorizationProblem', () => {
  it('says a Basic value with characters base64 does not use is not base64 of "<writeKey>:", without quoting it', () => {
    // Act
    const problem = authorizationProblem('Basic !!!garbage');

    // Assess
    expect(writeKeyFromAuthorization('Basic !!!garbage')).toBeUndefined();
    expect(problem).toBe(
      'Authorization: Basic is not followed by base64 of "<writeKey>:" (it holds characters base64 does not use); send Authorization: Basic base64("<writeKey>:"): the write key and a colon, base64-encoded',
    );
    expect(problem).not.toContain('garbage');
  });

  it.each([
    ['Basic', /carries no credentials/],
    ['basic   ', /carries no credentials/],
    [basic(':'), /holds an empty write key/],
  ])('names what is wrong with %p', (header, problem) => {
    expect(authorizationProblem(header)).toMatch(problem);
  });

  it.each([[undefined], [''], ['Bearer token'], ['Digest x']])(
    'has nothing to say without a Basic header (%p)',
    (header) => {
      expect(authorizationProblem(header)).toBeUndefined();
    },
  );
});
