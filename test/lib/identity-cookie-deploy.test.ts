import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { InvalidDeployConfigError, readDeployConfig } from '../../lib/config';
import { IngestApi, type IngestApiProps } from '../../lib/constructs/ingest-api';
import { collectorTemplate } from '../support/synth-cache';
import { templateWith } from './support/template-assertions';

const SITE = 'https://www.example.com';

const apiTemplate = (props: Omit<IngestApiProps, 'handler'>) =>
  templateWith(
    (stack) =>
      new IngestApi(stack, 'Ingest', {
        handler: lambda.Function.fromFunctionAttributes(stack, 'Collector', {
          functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:collector',
          sameEnvironment: true,
        }),
        ...props,
      }),
  );

/** A key-free document whose one source sets the identity cookie on `example.com`. */
const documentWith = (allowedOrigins: string[]) => ({
  sources: [
    { id: 'web', destinations: ['kinesis'], allowedOrigins, identityCookie: { domain: 'example.com' } },
  ],
  destinations: [{ id: 'kinesis', streamName: 'events', region: 'us-east-1' }],
});

/** Problems synth lists for the document under `-c collectorConfig=deploy.json` plus `context`. */
const problemsOf = (document: unknown, context: Record<string, string> = {}): readonly string[] => {
  try {
    const all: Record<string, string> = { externalIds: 'ext-1', collectorConfig: 'deploy.json', ...context };
    readDeployConfig((key) => all[key], { readFile: () => JSON.stringify(document) });
    return [];
  } catch (error) {
    if (!(error instanceof InvalidDeployConfigError)) throw error;
    return error.problems;
  }
};

const customDomain = (domainName: string) => ({
  domainName,
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  hostedZoneName: domainName.split('.').slice(1).join('.'),
});

describe('the ingest API with the identity cookie on', () => {
  it('allows credentials in CORS preflights, for the explicit origins only', () => {
    apiTemplate({ allowedOrigins: [SITE], allowCredentials: true }).hasResourceProperties(
      'AWS::ApiGatewayV2::Api',
      {
        CorsConfiguration: Match.objectLike({ AllowOrigins: [SITE], AllowCredentials: true }),
      },
    );
  });

  it('allows no credentials by default', () => {
    apiTemplate({ allowedOrigins: [SITE] }).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowCredentials: Match.absent() }),
    });
  });

  it.each(['*', 'https://*'])(
    'refuses credentials with the wildcard origin %s, saying to list each site',
    (origin) => {
      expect(() => apiTemplate({ allowedOrigins: [SITE, origin], allowCredentials: true })).toThrow(
        `IngestApi: allowCredentials (a source sets the identity cookie) needs explicit allowedOrigins, and "${origin}" is a wildcard`,
      );
    },
  );
});

describe('a configuration document with an identity cookie at synth', () => {
  it('deploys with a custom domain under the cookie’s domain', () => {
    expect(problemsOf(documentWith([SITE]), customDomain('events.example.com'))).toEqual([]);
  });

  it('deploys without a custom domain (the site’s own CloudFront path makes it first-party)', () => {
    expect(problemsOf(documentWith([SITE]))).toEqual([]);
  });

  it('is refused with a custom domain outside the cookie’s domain, saying what to do', () => {
    expect(problemsOf(documentWith([SITE]), customDomain('events.example.net'))).toEqual([
      "collectorConfig: deploy.json: sources.0.identityCookie.domain: the collector's domain events.example.net is not under example.com, so browsers would refuse the cookie; use the site's domain that events.example.net belongs to, or serve the collector from a host under example.com (docs/deploying.md)",
    ]);
  });

  it('is refused when the source allows every origin, as a cold start would', () => {
    expect(problemsOf(documentWith(['*']))).toEqual([
      expect.stringMatching(
        /^collectorConfig: deploy\.json: sources\.0\.allowedOrigins: identityCookie needs explicit allowed origins/,
      ),
    ]);
  });
});

describe('the collector stack deployed with a document whose source sets the identity cookie', () => {
  let template: Template;
  beforeAll(() => {
    // Named after its contents: the synth cache is keyed by the context, which holds the path.
    const text = JSON.stringify(documentWith([SITE, 'https://shop.example.com']));
    const path = join(
      tmpdir(),
      `kef-identity-cookie-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.json`,
    );
    writeFileSync(path, text);
    template = collectorTemplate({
      externalIds: 'ext-1',
      collectorConfig: path,
      ...customDomain('events.example.com'),
    });
  }, 120_000);

  it('answers preflights with credentials for the document’s explicit origins', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [SITE, 'https://shop.example.com'],
        AllowCredentials: true,
      }),
    });
  });
});
