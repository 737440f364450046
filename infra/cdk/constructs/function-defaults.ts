import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import {
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import { METRIC_NAMESPACE } from '#shared/observability';
import { TABLES } from '#shared/resources';

/**
 * Memory, timeout and concurrency caps, sized by measurement (`npm run bench:memory`,
 * `npm run bench:archive`, `npm run plan`; docs/cost-and-capacity.md):
 * - processor: a full 500-record batch of full aggregated records (~47,000 events) peaks at
 *   ~300 MB RSS and ~1.9 s of CPU. Lambda gives one full vCPU at 1,769 MB, which keeps up with
 *   a shard at its 1 MiB/s write limit (~17,000 events/s, ~0.7 vCPU) with one batch in flight
 *   per shard; the function is single-threaded, so more memory buys nothing. The cap leaves
 *   room for 40 shards (or 4 shards at parallelization factor 10).
 * - impact-api: ~85 MB RSS and ~30 ms of CPU per leadership query; 512 MB keeps cold starts
 *   short. The cap is above what the stage's 50 requests/s throttle can use at p99 latency.
 * - ops-api: operators' dead-letter reads and replays, a few people at a time. A list reads at
 *   most 20,000 items (a few MB) and answers at most 1,000 shortened letters; a replay takes at
 *   most 100 letters, so it holds at most 100 records read back (each at most 1 MiB, and the
 *   GetRecords page it came in) and runs them through the processor: at most a fifth of the
 *   processor's full 500-record batch (~300 MB RSS, ~1.9 s of CPU at one vCPU). 1,024 MB (about
 *   0.6 vCPU) holds that with room and keeps it to a few seconds of CPU. The timeout is 29 s:
 *   the HTTP API gives up on its integration at 30 s, so a longer one only spends money after
 *   the caller got a 503 (a replay cut short is safe to run again: it is exactly-once). The cap
 *   of 5 bounds what the ops routes can take of the tables', the stream's and the account's
 *   capacity.
 * - fleet-watch: one Query of the coverage partition every 5 minutes (about 190 bytes a store
 *   with open hours: ~2 MB at 10,500 stores, two 1 MB pages) and a pure judgement of each summary, its open stretch worked out
 *   once per time zone and open hours: ~15-30 ms of CPU for 10,500 stores on the build machine
 *   once warm (~110 ms cold). 256 MB holds the page buffers many times over; the 60 s timeout
 *   leaves room for a slow page; a cap of 1 keeps a late run from overlapping the next.
 * - archive-transform: see ARCHIVE_TRANSFORM_BUFFER_MB. Its work follows the bytes Firehose
 *   hands it, and a hostile device chooses those bytes.
 * - mcp: one JSON-RPC message per request, answered by one call of the impact API with the
 *   caller's token (an HTTPS round trip, no table read of its own): the impact API's 512 MB.
 *   29 s as the ops API's (the HTTP API gives up at 30 s); a cap of 10 bounds what assistants
 *   can take of the impact API's own cap of 25, since every tool call is an API call too.
 */
export const FUNCTION_SIZING = {
  processor: { memoryMb: 1769, timeoutSeconds: 30, reservedConcurrency: 40 },
  'impact-api': { memoryMb: 512, timeoutSeconds: 30, reservedConcurrency: 25 },
  'ops-api': { memoryMb: 1024, timeoutSeconds: 29, reservedConcurrency: 5 },
  'fleet-watch': { memoryMb: 256, timeoutSeconds: 60, reservedConcurrency: 1 },
  'archive-transform': { memoryMb: 1769, timeoutSeconds: 60, reservedConcurrency: 10 },
  mcp: { memoryMb: 512, timeoutSeconds: 29, reservedConcurrency: 10 },
} as const;
export type FunctionName = keyof typeof FUNCTION_SIZING;

/**
 * Bytes of records Firehose buffers before it invokes the archive transform (its
 * `BufferSizeInMBs`, 0.2 to 3; the default is 1), sized with the transform's memory and timeout
 * above from `npm run bench:archive` (median of 3, this repository's 2-core build machine, one
 * full core; Lambda gives one vCPU at 1,769 MB):
 * - Time (CPU). Honest records cost 60-190 ms per MB; the worst hostile mix ~3.2-3.8 s per MB:
 *   distinct events that differ only in `seq`, ~330 per KB of gzip, each a contract parse (a
 *   memo cannot fold them; identical ones it does: ~1 MiB of one repeated event per ~4 KB
 *   record now costs ~2 s of CPU per MB of such records, gunzip and checksum included, down from
 *   4.0-10.6 s). Deflate cannot pack either much tighter: a repeat at a distance of ~250 bytes
 *   costs at least ~7 bits per 258 bytes, a distinct event a match, a literal and another match.
 *   So a 1 MB buffer takes at most ~3.8 s at one vCPU: 60 s leaves ~15x for a slower vCPU and
 *   noise, under the 5 minutes Firehose allows a transform. At the former 256 MB (1/7 of a vCPU)
 *   and 3 MB it projected to 60-80 s, past its 30 s timeout: a failed transform, whose records
 *   Firehose writes raw under `errors/`, which the archive must never hold.
 * - Size. Lambda's request and response are at most 6 MB each. An archive line is at most
 *   ~1.9x its record (a version-1 line is base64 plus the record's position, which weighs most
 *   in small records; a screened version-3 line at most ~1.6x its record, 1.4x in the bench),
 *   and Firehose's response base64s it again. At 3 MB, honest records at the fleet's shape (a
 *   store's few events per record) made an 8.1 MB response and full aggregates 6.0 MB; at 1 MB
 *   the largest is 2.7 MB (honest) and 1.9 MB (hostile).
 */
export const ARCHIVE_TRANSFORM_BUFFER_MB = 1;
export const PROCESSOR_MEMORY_MB = FUNCTION_SIZING.processor.memoryMb;

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
  tracing: Tracing.ACTIVE,
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
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only the X-Ray statement Lambda active tracing adds (xray:PutTraceSegments, xray:PutTelemetryRecords): those actions support no resource-level permissions, so AWS requires Resource "*". Data grants name their resources.',
  });
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
  /** Which function: sets its memory, timeout and reserved concurrency from FUNCTION_SIZING. */
  readonly name: FunctionName;
  /** Handler module, relative to the repository root (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  /**
   * The tables it uses and how: each one's name reaches it in the table's environment variable
   * (TABLES), and it is granted that access and nothing more. @default none
   */
  readonly tables?: readonly TableUse[];
  /** Further environment, after the tables'. @default none */
  readonly environment?: Record<string, string>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** A table a function uses: which one (TABLES), the table, and what it may do with it. */
export interface TableUse {
  readonly name: keyof typeof TABLES;
  readonly table: ITableV2;
  readonly access: 'read' | 'write' | 'readWrite';
}

/**
 * One of the pipeline's functions: the shared defaults, a log group of its own (retention and
 * removal by stage), a role that may write only that log group, and the runtime
 * acknowledgement. Its tables' access is granted from `tables`; any other access is for the
 * caller to grant.
 */
export function pipelineFunction(
  scope: Construct,
  props: PipelineFunctionProps,
): { fn: NodejsFunction; logGroup: LogGroup } {
  const tables = props.tables ?? [];
  const logGroup = new LogGroup(scope, 'Logs', {
    retention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });
  const fn = new NodejsFunction(scope, 'Function', {
    ...FUNCTION_DEFAULTS,
    entry: new URL(`../../../${props.entry}`, import.meta.url).pathname,
    handler: 'handler',
    description: props.description,
    memorySize: FUNCTION_SIZING[props.name].memoryMb,
    timeout: Duration.seconds(FUNCTION_SIZING[props.name].timeoutSeconds),
    reservedConcurrentExecutions: FUNCTION_SIZING[props.name].reservedConcurrency,
    logGroup,
    role: functionRole(scope, 'Role', logGroup),
    environment: {
      ...FUNCTION_DEFAULTS.environment,
      ...Object.fromEntries(tables.map((t) => [TABLES[t.name].envVar, t.table.tableName])),
      ...props.environment,
    },
  });
  for (const t of tables) {
    if (t.access === 'read') t.table.grantReadData(fn);
    else if (t.access === 'write') t.table.grantWriteData(fn);
    else t.table.grantReadWriteData(fn);
  }
  acknowledgeRuntime(fn);
  return { fn, logGroup };
}
