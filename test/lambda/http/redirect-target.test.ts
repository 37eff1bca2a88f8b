import fc from 'fast-check';
import { RedirectRefusedError, redirectTarget } from '../../../lambda/http/redirect-target';

const ALLOWED = ['allowed.com', 'www.example.com'];

describe('redirectTarget', () => {
  it.each([
    ['https://allowed.com/welcome?utm_source=email#top', 'https://allowed.com/welcome?utm_source=email#top'],
    ['https://www.example.com', 'https://www.example.com/'],
    ['https://ALLOWED.com/x', 'https://allowed.com/x'],
    ['https://allowed.com:443/x', 'https://allowed.com/x'],
  ])('allows %s, redirecting to its normalised form %s', (raw, href) => {
    // Act / Assess
    expect(redirectTarget(raw, ALLOWED).href).toBe(href);
  });

  it.each([
    ['a scheme-relative URL', '//evil.com'],
    ['a scheme-relative URL with a backslash', '/\\evil.com'],
    ['backslashes for slashes', 'https:\\\\evil.com'],
    ['user info naming the allowed host', 'https://allowed.com@evil.com'],
    ['user info on the allowed host', 'https://user:pass@allowed.com/'],
    ['an encoded slash before @', 'https://allowed.com%2f@evil.com'],
    ['a backslash before @', 'https://evil.com\\@allowed.com'],
    ['the allowed host as a prefix', 'https://allowed.com.evil.com/'],
    ['a subdomain of the allowed host', 'https://sub.allowed.com/'],
    ['the allowed host with a trailing dot', 'https://allowed.com./'],
    ['http', 'http://allowed.com/'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['another port', 'https://allowed.com:8443/'],
    ['an IPv4 literal', 'https://192.0.2.1/'],
    ['an IPv4 literal in hex', 'https://0x7f.1/'],
    ['an IPv4 literal as one number', 'https://2130706433/'],
    ['an IPv6 literal', 'https://[::1]/'],
    ['an IPv6-mapped IPv4 literal', 'https://[::ffff:192.0.2.1]/'],
    ['an encoded scheme-relative URL', '%2F%2Fevil.com'],
    ['an encoded full URL', 'https%3A%2F%2Fevil.com'],
    ['a relative path', '/welcome'],
    ['an empty target', ''],
    ['no target at all', undefined],
  ])('refuses %s (%s) with a 400 RedirectRefusedError', (_case, raw) => {
    // Act
    const attempt = () => redirectTarget(raw, ALLOWED);

    // Assess
    expect(attempt).toThrow(RedirectRefusedError);
    try {
      attempt();
    } catch (error) {
      expect((error as RedirectRefusedError).statusCode).toBe(400);
      expect((error as RedirectRefusedError).headers).toEqual({});
    }
  });

  it('refuses every target when the source lists no hosts: redirects are off by default', () => {
    // Act / Assess
    expect(() => redirectTarget('https://allowed.com/', undefined)).toThrow(/redirects are off/);
    expect(() => redirectTarget('https://allowed.com/', [])).toThrow(/redirects are off/);
  });

  it('names the host it refused and the setting that would allow it', () => {
    // Act / Assess
    expect(() => redirectTarget('https://allowed.com.evil.com/', ALLOWED)).toThrow(
      "Redirect refused: host allowed.com.evil.com is not in this source's redirect.allowedHosts",
    );
  });
});

describe('redirectTarget on any string', () => {
  it('returns only https URLs on an allowed host and the default port, or throws RedirectRefusedError', () => {
    // Prepare: strings around the allowed host, hostile characters included.
    const piece = fc.constantFrom(
      'https:',
      'http:',
      '//',
      '/',
      '\\',
      '@',
      ':',
      '.',
      '%2f',
      '%40',
      '[',
      ']',
      'allowed.com',
      'evil.com',
      '443',
      '8443',
      '#',
      '?',
    );
    const targets = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.array(piece, { maxLength: 10 }).map((parts) => parts.join('')),
    );

    // Act / Assess
    fc.assert(
      fc.property(targets, (raw) => {
        try {
          const target = redirectTarget(raw, ALLOWED);
          expect(target.protocol).toBe('https:');
          expect(ALLOWED).toContain(target.hostname);
          expect(target.port).toBe('');
          expect(target.username + target.password).toBe('');
        } catch (error) {
          expect(error).toBeInstanceOf(RedirectRefusedError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
