import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectorRolePath } from '../lib/collector-role-path';
import { LOCAL_ACCOUNT_ID } from './local-account';
import type { SynthesizedWriterRole } from './trust-policy';

/** One `AssumeRole` call the local STS answered, for tests and the startup banner. */
export interface AssumeRoleCall {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly externalId?: string;
  /** The access key the request was signed with. */
  readonly callerAccessKeyId: string;
  readonly allowed: boolean;
  /** Time spent answering, trust-policy evaluation included (ms). */
  readonly elapsedMs: number;
}

export interface LocalStsOptions {
  /** The writer role whose trust policy decides every request (from {@link synthesizeWriterRole}). */
  readonly role: SynthesizedWriterRole;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** The account each caller access key belongs to. @default every key belongs to LOCAL_ACCOUNT_ID */
  readonly accountOf?: (accessKeyId: string) => string;
  /**
   * The role (ARN, `aws:PrincipalArn`) each caller access key belongs to.
   * @default - the collector's role in the key's account: {@link localCollectorRoleArn}
   */
  readonly principalOf?: (accessKeyId: string) => string;
  /**
   * Lifetime of the credentials issued, overriding `DurationSeconds` (tests of the refresh before
   * expiry use a few seconds over the SDK's five-minute refresh window).
   * @default the requested `DurationSeconds`
   */
  readonly credentialSeconds?: number;
}

export interface LocalSts {
  /** `http://host:port`: the `stsEndpoint` of a destination. */
  readonly endpoint: string;
  /** Every `AssumeRole` call so far, in order. */
  calls(): readonly AssumeRoleCall[];
  stop(): Promise<void>;
}

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** STS's error document: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`. */
function errorXml(code: string, message: string, requestId: string, type = 'Sender'): string {
  return `<ErrorResponse xmlns="${XMLNS}">
  <Error>
    <Type>${type}</Type>
    <Code>${xmlEscape(code)}</Code>
    <Message>${xmlEscape(message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`;
}

const upperAlphanumeric = (length: number) =>
  Array.from(randomBytes(length), (byte) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[byte % 32]).join('');

/** AssumeRole's answer, in the shape STS sends (`AssumeRoleResponse/AssumeRoleResult`). */
function assumeRoleXml(role: SynthesizedWriterRole, sessionName: string, expiresAt: Date, requestId: string) {
  const roleName = role.roleArn.slice(role.roleArn.lastIndexOf('/') + 1);
  const roleId = `AROA${upperAlphanumeric(17)}`;
  return `<AssumeRoleResponse xmlns="${XMLNS}">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <AssumedRoleId>${roleId}:${xmlEscape(sessionName)}</AssumedRoleId>
      <Arn>arn:aws:sts::${role.accountId}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(sessionName)}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIA${upperAlphanumeric(16)}</AccessKeyId>
      <SecretAccessKey>${randomBytes(30).toString('base64')}</SecretAccessKey>
      <SessionToken>${randomBytes(96).toString('base64')}</SessionToken>
      <Expiration>${expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;
}

/** The session ARN STS names a role's caller by: `arn:aws:sts::<account>:assumed-role/<name>/<session>`. */
function assumedRoleArnOf(roleArn: string): string {
  const account = roleArn.split(':')[4] ?? LOCAL_ACCOUNT_ID;
  return `arn:aws:sts::${account}:assumed-role/${roleArn.slice(roleArn.lastIndexOf('/') + 1)}/local`;
}

/** The access key id of a SigV4 `Authorization` header (the signature itself is not checked). */
function accessKeyOf(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization ?? '';
  return /Credential=([^/,\s]+)\//.exec(header)?.[1];
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * The role local callers act as by default: a collector function role as the CDK app creates it,
 * under the collector IAM path of the default stack prefix.
 */
export function localCollectorRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role${collectorRolePath('KinesisEventForwarder')}local-collector`;
}

interface AssumeRoleRequest {
  readonly principalArn: string;
  readonly externalId?: string;
  readonly roleSessionName: string;
}

type Decide = (request: AssumeRoleRequest) => Promise<boolean>;

/**
 * Evaluates `sts:AssumeRole` on the role with the IAM simulator: the role's trust policy is the
 * resource policy, the caller (by default the collector's function role in its account) holds an identity
 * policy allowing `sts:AssumeRole` on the role, so the trust policy alone decides. The simulator
 * (AGPL-3.0, a devDependency) is loaded here, by local mode and tests only, never by the Lambda.
 */
async function trustPolicyDecider(role: SynthesizedWriterRole): Promise<Decide> {
  const { runSimulation } = await import('@cloud-copilot/iam-simulate');
  return async ({ principalArn, externalId, roleSessionName }) => {
    const result = await runSimulation(
      {
        request: {
          principal: principalArn,
          action: 'sts:AssumeRole',
          resource: { resource: role.roleArn, accountId: role.accountId },
          contextVariables: {
            'aws:PrincipalArn': principalArn,
            'sts:RoleSessionName': roleSessionName,
            ...(externalId === undefined ? {} : { 'sts:ExternalId': externalId }),
          },
        },
        identityPolicies: [
          {
            name: 'AssumeTheWriterRole',
            policy: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.roleArn }],
            },
          },
        ],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: role.trustPolicy,
      },
      {},
    );
    if (result.resultType === 'error') {
      throw new Error(`the IAM simulator could not evaluate the request: ${JSON.stringify(result.errors)}`);
    }
    return result.overallResult === 'Allowed';
  };
}

/**
 * A loopback STS that speaks the Query API's `Action=AssumeRole` (form-encoded POST, XML answers in
 * the shape AWS sends) for one role, deciding each call with the role's synthesized trust policy.
 * The credentials it issues are random: the local Kinesis emulator accepts any keys, so what they
 * prove is that the collector got them from `AssumeRole` at all. SigV4 signatures are not checked;
 * the signing access key only tells the caller's account.
 */
export async function startLocalSts(options: LocalStsOptions): Promise<LocalSts> {
  const { role } = options;
  const decide = await trustPolicyDecider(role);
  const accountOf = options.accountOf ?? (() => LOCAL_ACCOUNT_ID);
  const principalOf =
    options.principalOf ?? ((accessKeyId: string) => localCollectorRoleArn(accountOf(accessKeyId)));
  const calls: AssumeRoleCall[] = [];

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const requestId = randomUUID();
    const reply = (status: number, xml: string) =>
      response.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }).end(xml);
    const params = new URLSearchParams(request.method === 'POST' ? await readBody(request) : '');
    const action = params.get('Action');
    if (action !== 'AssumeRole') {
      reply(
        400,
        errorXml('InvalidAction', `Could not find operation ${action} for version 2011-06-15`, requestId),
      );
      return;
    }
    const callerAccessKeyId = accessKeyOf(request);
    if (callerAccessKeyId === undefined) {
      reply(
        403,
        errorXml('MissingAuthenticationToken', 'Request is missing Authentication Token', requestId),
      );
      return;
    }
    const roleArn = params.get('RoleArn') ?? '';
    const roleSessionName = params.get('RoleSessionName') ?? '';
    const externalId = params.get('ExternalId') ?? undefined;
    const durationSeconds = Number(params.get('DurationSeconds') ?? 3600);
    if (!/^[\w+=,.@-]{2,64}$/.test(roleSessionName)) {
      reply(
        400,
        errorXml('ValidationError', 'RoleSessionName must be 2-64 characters of [\\w+=,.@-]', requestId),
      );
      return;
    }
    if (
      !Number.isInteger(durationSeconds) ||
      durationSeconds < 900 ||
      durationSeconds > role.maxSessionSeconds
    ) {
      reply(
        400,
        errorXml(
          'ValidationError',
          `The requested DurationSeconds exceeds the MaxSessionDuration set for this role (${role.maxSessionSeconds}).`,
          requestId,
        ),
      );
      return;
    }
    const principalArn = principalOf(callerAccessKeyId);
    const allowed =
      roleArn === role.roleArn &&
      (await decide({ principalArn, roleSessionName, ...(externalId === undefined ? {} : { externalId }) }));
    calls.push({
      roleArn,
      roleSessionName,
      ...(externalId === undefined ? {} : { externalId }),
      callerAccessKeyId,
      allowed,
      elapsedMs: performance.now() - started,
    });
    if (!allowed) {
      reply(
        403,
        errorXml(
          'AccessDenied',
          `User: ${assumedRoleArnOf(principalArn)} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          requestId,
        ),
      );
      return;
    }
    const lifetime = options.credentialSeconds ?? durationSeconds;
    reply(200, assumeRoleXml(role, roleSessionName, new Date(Date.now() + lifetime * 1000), requestId));
  };

  const server = createServer((request, response) => {
    answer(request, response).catch((error: Error) => {
      if (!response.headersSent) {
        response
          .writeHead(500, { 'content-type': 'text/xml' })
          .end(errorXml('InternalFailure', error.message, randomUUID(), 'Receiver'));
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    calls: () => [...calls],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
