import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { METRIC_NAMESPACE } from '../../functions/shared/observability.js';

/**
 * Settings every function shares: Node.js 22 on arm64, bundled by the local esbuild package
 * (never Docker) into one minified ESM file. The AWS SDK v3 is left out (`@aws-sdk/*`) and
 * taken from the Lambda runtime, which keeps each bundle near 130 KB instead of ~1.5 MB; the
 * functions use only long-stable DynamoDB calls, so the runtime's SDK version is not a risk
 * worth that. The price, measured by `npm run bench:coldstart`: loading the SDK from its many
 * files takes longer to import than one bundled file.
 */
export const FUNCTION_DEFAULTS: Partial<NodejsFunctionProps> = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(30),
  bundling: {
    format: OutputFormat.ESM,
    target: 'node22',
    minify: true,
    sourceMap: true,
    forceDockerBundling: false,
    externalModules: ['@aws-sdk/*'],
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner:
      "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  environment: {
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
  },
};

/**
 * A function's execution role without the AWS managed basic-execution policy (which allows
 * writing to any log group): it may write only to the function's own log group. Data access
 * is added by the callers' `grant*` calls.
 */
export function functionRole(scope: Construct, id: string, logGroup: LogGroup): Role {
  const role = new Role(scope, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return role;
}

/**
 * Why the functions stay on Node.js 22 though cdk-nag asks for the newest runtime: 22 is the
 * runtime the fleet's functions are specified and tested for (the code runs on Node 20 and 22
 * here); moving to 24 is a one-line change to make once it is tested there.
 */
export function acknowledgeRuntime(fn: IConstruct): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'nodejs22.x is the specified and tested target runtime; upgrade after testing on the newer one.',
  });
}

export interface PipelineFunctionProps {
  /** Handler module, relative to the repository root (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * One of the pipeline's functions: the shared defaults, a log group of its own (retention and
 * removal by stage), a role that may write only that log group, and the runtime
 * acknowledgement. Data access is for the caller to grant.
 */
export function pipelineFunction(
  scope: Construct,
  props: PipelineFunctionProps,
): { fn: NodejsFunction; logGroup: LogGroup } {
  const logGroup = new LogGroup(scope, 'Logs', {
    retention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });
  const fn = new NodejsFunction(scope, 'Function', {
    ...FUNCTION_DEFAULTS,
    entry: new URL(`../../${props.entry}`, import.meta.url).pathname,
    handler: 'handler',
    description: props.description,
    logGroup,
    role: functionRole(scope, 'Role', logGroup),
    environment: { ...FUNCTION_DEFAULTS.environment, ...props.environment },
  });
  acknowledgeRuntime(fn);
  return { fn, logGroup };
}
