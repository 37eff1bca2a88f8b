import { cameThroughDistribution, siteEndpointOf } from '../../../lambda/http/same-origin-request';

describe('cameThroughDistribution', () => {
  it('is true only for the exact secret in x-collector-origin-secret', () => {
    // Act
    const answers = ['s3cret', 's3cret ', 'S3CRET', '', undefined].map((value) =>
      cameThroughDistribution(value === undefined ? {} : { 'x-collector-origin-secret': value }, 's3cret'),
    );

    // Assess
    expect(answers).toEqual([true, false, false, false, false]);
  });

  it('is never true when the function has no secret, even for an empty header', () => {
    // Act
    const answers = [undefined, ''].map((secret) =>
      cameThroughDistribution({ 'x-collector-origin-secret': '' }, secret),
    );

    // Assess
    expect(answers).toEqual([false, false]);
  });
});

describe('siteEndpointOf', () => {
  it("joins the site's host (lower-cased) and the prefix the distribution removed", () => {
    // Act
    const endpoint = siteEndpointOf({
      'x-collector-forwarded-host': 'WWW.Example.com',
      'x-collector-path-prefix': '/collect',
    });

    // Assess
    expect(endpoint).toBe('www.example.com/collect');
  });

  it('answers nothing for a missing or malformed host or prefix', () => {
    // Prepare
    const cases = [
      { 'x-collector-path-prefix': '/collect' },
      { 'x-collector-forwarded-host': 'www.example.com' },
      { 'x-collector-forwarded-host': 'evil.example/x', 'x-collector-path-prefix': '/collect' },
      { 'x-collector-forwarded-host': 'www.example.com', 'x-collector-path-prefix': 'collect' },
      { 'x-collector-forwarded-host': 'www.example.com', 'x-collector-path-prefix': '/c"><script>' },
    ];

    // Act
    const endpoints = cases.map((headers) => siteEndpointOf(headers));

    // Assess
    expect(endpoints).toEqual(cases.map(() => undefined));
  });
});
