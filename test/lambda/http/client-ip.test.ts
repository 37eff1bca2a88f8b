import { clientIpOf, viewerAddressIp } from '../../../lambda/http/client-ip';

const SECRET = 'a-long-generated-origin-secret-0123456789';
const EDGE = '130.176.0.10';

describe('clientIpOf', () => {
  it("takes the viewer's IPv4 address from CloudFront-Viewer-Address when the origin secret matches", () => {
    // Prepare
    const headers = {
      'x-collector-origin-secret': SECRET,
      'cloudfront-viewer-address': '198.51.100.7:51234',
    };

    // Act
    const ip = clientIpOf({ headers, sourceIp: EDGE, originSecret: SECRET });

    // Assess
    expect(ip).toBe('198.51.100.7');
  });

  it("takes the viewer's IPv6 address, written without brackets before the port", () => {
    // Prepare
    const headers = {
      'x-collector-origin-secret': SECRET,
      'cloudfront-viewer-address': '2001:db8:85a3::8a2e:370:7334:46532',
    };

    // Act
    const ip = clientIpOf({ headers, sourceIp: EDGE, originSecret: SECRET });

    // Assess
    expect(ip).toBe('2001:db8:85a3::8a2e:370:7334');
  });

  it('keeps the source address when the request carries a wrong origin secret', () => {
    // Prepare
    const headers = { 'x-collector-origin-secret': 'guess', 'cloudfront-viewer-address': '198.51.100.7:1' };

    // Act
    const ip = clientIpOf({ headers, sourceIp: '203.0.113.9', originSecret: SECRET });

    // Assess
    expect(ip).toBe('203.0.113.9');
  });

  it('keeps the source address when a client forges CloudFront-Viewer-Address without the secret', () => {
    // Prepare
    const headers = { 'cloudfront-viewer-address': '198.51.100.7:1' };

    // Act
    const ip = clientIpOf({ headers, sourceIp: '203.0.113.9', originSecret: SECRET });

    // Assess
    expect(ip).toBe('203.0.113.9');
  });

  it('never trusts CloudFront-Viewer-Address when no origin secret is configured, even if one is sent', () => {
    // Prepare
    const headers = { 'x-collector-origin-secret': '', 'cloudfront-viewer-address': '198.51.100.7:1' };

    // Act
    const withoutSecret = clientIpOf({ headers, sourceIp: '203.0.113.9' });
    const withEmptySecret = clientIpOf({ headers, sourceIp: '203.0.113.9', originSecret: '' });

    // Assess
    expect(withoutSecret).toBe('203.0.113.9');
    expect(withEmptySecret).toBe('203.0.113.9');
  });

  it('falls back to the source address when the secret matches but the viewer address is unusable', () => {
    // Prepare
    const malformed = ['', 'not-an-ip:443', '198.51.100.7', ':443', '[2001:db8::1]:443'];

    // Act
    const ips = malformed.map((value) =>
      clientIpOf({
        headers: { 'x-collector-origin-secret': SECRET, 'cloudfront-viewer-address': value },
        sourceIp: EDGE,
        originSecret: SECRET,
      }),
    );

    // Assess
    expect(ips).toEqual(malformed.map(() => EDGE));
  });

  it('answers no address when API Gateway saw none and nothing else is trusted', () => {
    // Act
    const ip = clientIpOf({ headers: {}, sourceIp: '' });

    // Assess
    expect(ip).toBeUndefined();
  });
});

describe('viewerAddressIp', () => {
  it('cuts the port after the last colon and checks what is left is an address', () => {
    // Act
    const ips = ['192.0.2.1:443', '::1:80', 'example.com:443', undefined].map(viewerAddressIp);

    // Assess
    expect(ips).toEqual(['192.0.2.1', '::1', undefined, undefined]);
  });
});
