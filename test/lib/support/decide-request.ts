import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { IamPolicy } from './resolve-intrinsics';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** One request as AWS receives it, with the policies that decide it. */
export interface SimulatedRequest {
  /** A role ARN, or a service principal such as `cloudwatch.amazonaws.com`. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** @default - the resource ARN's account field */
  readonly resourceAccount?: string;
  readonly identityPolicies?: readonly { name: string; policy: IamPolicy }[];
  readonly resourcePolicy?: IamPolicy;
  /** Request context; `aws:PrincipalArn` (for a role) and `aws:SecureTransport: true` are set unless given. */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * Decides one request offline with `@cloud-copilot/iam-simulate`: identity policies and the resource
 * policy together, with AWS's same-account and cross-account rules. As AWS does, the calling role's
 * ARN (with its path) is in the request context, and SDK calls go over TLS. A request the simulator
 * cannot parse fails the test.
 */
export async function decide(request: SimulatedRequest): Promise<Decision> {
  const isRole = request.principal.startsWith('arn:');
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: {
        resource: request.resource,
        // The account is an ARN's fifth field (IAM ARNs included).
        accountId: request.resourceAccount ?? request.resource.split(':')[4] ?? '',
      },
      contextVariables: {
        ...(isRole ? { 'aws:PrincipalArn': request.principal } : {}),
        'aws:SecureTransport': 'true',
        ...request.context,
      },
    },
    identityPolicies: [...(request.identityPolicies ?? [])],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy }),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`simulation error: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}
