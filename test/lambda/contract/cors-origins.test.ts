import { apiGatewayOrigin, effectiveOrigins } from '../../../lambda/contract/cors-origins';

describe('apiGatewayOrigin', () => {
  it.each([
    ['https://www.example.com', 'https://www.example.com'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['*', '*'],
    ['https://*', 'https://*'],
    ['http://*', 'http://*'],
  ])('keeps %s as API Gateway can match it', (origin, atApi) => {
    expect(apiGatewayOrigin(origin)).toBe(atApi);
  });

  it.each([
    ['https://*.example.com', 'https://*'],
    ['http://*.example.com:8080', 'http://*'],
  ])('widens the one-label wildcard %s to %s, the only pattern API Gateway has for it', (origin, atApi) => {
    expect(apiGatewayOrigin(origin)).toBe(atApi);
  });

  it.each(['https://shop.*.com', '*.example.com', 'https://**.example.com'])(
    'has no API Gateway form for the pattern %s',
    (origin) => {
      expect(apiGatewayOrigin(origin)).toBeUndefined();
    },
  );
});

describe('effectiveOrigins', () => {
  it("takes a source's own origins, else the document's", () => {
    expect(effectiveOrigins(['https://a.example'], ['*'])).toEqual(['https://a.example']);
    expect(effectiveOrigins(undefined, ['*'])).toEqual(['*']);
  });
});
