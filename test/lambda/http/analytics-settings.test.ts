import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { analyticsSettings, collectorEndpointOf } from '../../../lambda/http/analytics-settings';

/** The parts of an HTTP API event the endpoint is read from. */
function requestTo(domainName: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    headers: { host: domainName, ...headers },
    requestContext: { domainName },
  } as unknown as APIGatewayProxyEventV2;
}

describe('analyticsSettings', () => {
  it('sends every event of the write key to the collector, with Segment.io as the only integration', () => {
    // Act
    const settings = analyticsSettings('wk-1', { apiHost: 'events.example.com/v1', protocol: 'https' });

    // Assess
    expect(Object.keys(settings.integrations)).toEqual(['Segment.io']);
    expect(settings.integrations['Segment.io']).toMatchObject({
      apiKey: 'wk-1',
      apiHost: 'events.example.com/v1',
      protocol: 'https',
    });
  });

  it("turns analytics-next's telemetry off and points its host at the collector, never at Segment", () => {
    // Act
    const settings = analyticsSettings('wk-1', { apiHost: 'events.example.com/v1', protocol: 'https' });

    // Assess
    expect(settings.metrics).toEqual({ sampleRate: 0, host: 'events.example.com/v1', protocol: 'https' });
    expect(JSON.stringify(settings)).not.toMatch(/segment\.(io|com)/);
  });

  it('asks for no code: no remote plugins, middleware, routing rules, video plugins or tracking plan', () => {
    // Act
    const settings = analyticsSettings('wk-1', { apiHost: 'events.example.com/v1', protocol: 'https' });

    // Assess
    expect(settings).toMatchObject({ remotePlugins: [], enabledMiddleware: {} });
    expect(settings).not.toHaveProperty('middlewareSettings');
    expect(settings).not.toHaveProperty('legacyVideoPluginsEnabled');
    expect(settings).not.toHaveProperty('plan');
  });
});

describe('collectorEndpointOf', () => {
  it('uses the host the request came to and https behind API Gateway', () => {
    // Act
    const endpoint = collectorEndpointOf(
      requestTo('events.example.com', { 'x-forwarded-proto': 'https' }),
      '',
    );

    // Assess
    expect(endpoint).toEqual({ apiHost: 'events.example.com/v1', protocol: 'https' });
  });

  it('keeps the stage prefix the request came through', () => {
    // Act
    const endpoint = collectorEndpointOf(requestTo('abc123.execute-api.eu-west-1.amazonaws.com'), '/prod/');

    // Assess
    expect(endpoint).toEqual({
      apiHost: 'abc123.execute-api.eu-west-1.amazonaws.com/prod/v1',
      protocol: 'https',
    });
  });

  it("answers http only when every X-Forwarded-Proto value says so, as local mode's stand-in sends it", () => {
    // Act
    const local = collectorEndpointOf(requestTo('127.0.0.1:8080', { 'x-forwarded-proto': 'http' }), '');
    const forgedThenAppended = collectorEndpointOf(
      requestTo('events.example.com', { 'x-forwarded-proto': 'http, https' }),
      '',
    );

    // Assess
    expect(local).toEqual({ apiHost: '127.0.0.1:8080/v1', protocol: 'http' });
    expect(forgedThenAppended.protocol).toBe('https');
  });
});
