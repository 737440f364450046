import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDbRegistry } from '#adapters';
import { ensureDashboard } from '#dashboard';
import type { UnsignedPolicy } from '#domain/signature-check';
import { createKinesisClient, EdgeClient } from '#edge-client';
import { type ApiThrottleLimits, loadImpactApiHandler } from '#impact-api';
import { createMcpLambdaHandler, incidentReporter } from '#mcp';
import { loadOpsApiHandler } from '#ops-api';
import { loadProcessorHandler, PROCESSOR_EVENT_SOURCE } from '#processor';
import type { KeyedTokenBucketLimits } from '#shared/keyed-token-buckets';
import { TABLES, TELEMETRY_STREAM } from '#shared/resources';
import { type ApiHandler, type ApiServer, startApiServer } from './api-server.js';
import { archiveHandler } from './archiver.js';
import { type CheckpointStore, FileCheckpointStore } from './checkpoint-store.js';
import { DEV_ISSUER, type DevIssuer, openDevIssuer } from './dev-issuer.js';
import { type Emulators, startEmulators } from './emulators.js';
import {
  EventSourcePoller,
  type EventSourceSettings,
  type KinesisHandler,
} from './event-source-poller.js';
import { localAwsEnv } from './local-env.js';
import { deviceSigner, LocalSigners, localSeedFile } from './local-signers.js';
import { provisionLocalResources } from './provision.js';

export interface EmbeddedStackOptions {
  readonly dataDir: string;
  /** 0 picks a free port (tests); `npm start` uses LOCAL_PORTS (README, "Local endpoints"). */
  readonly ports: { readonly api: number; readonly kinesis: number; readonly dynamodb: number };
  readonly shardCount?: number;
  /** The processor's event source mapping, as in the CDK stack unless a test overrides it. */
  readonly eventSource?: EventSourceSettings & {
    pollIntervalMs?: number;
    retryBaseDelayMs?: number;
    maxPayloadBytes?: number;
  };
  /** Called for poller errors (handler crashes, emulator outages). */
  readonly onError?: (error: unknown, shardId: string) => void;
  /**
   * Emulators already running elsewhere (e.g. in a process of their own, so that a soak can
   * tell their memory from the pipeline's); the stack then neither starts nor stops them.
   */
  readonly externalEmulators?: {
    readonly kinesisEndpoint: string;
    readonly dynamodbEndpoint: string;
  };
  /** Run the raw-archive consumer (the Firehose stand-in). @default true */
  readonly archive?: boolean;
  /** Serve the leadership dashboard at `/` (built first if its sources changed). @default false */
  readonly dashboard?: boolean;
  /** `report_incident`'s write limit per automation at `/mcp`. @default REPORT_LIMITS */
  readonly mcpReportLimits?: KeyedTokenBucketLimits;
  /** API rate limits (stage, per caller, unauthenticated per source); the deployed ones by default. */
  readonly apiThrottle?: Partial<ApiThrottleLimits>;
  /**
   * Endpoints the AWS side uses (the handlers, and the processor's event source reading the
   * stream), given the emulators' (tests put fault-injecting proxies in between).
   * Provisioning and the returned clients always talk to the emulators directly.
   */
  readonly handlerEndpoints?: (emulators: {
    kinesis: string;
    dynamodb: string;
  }) => Promise<{ kinesis: string; dynamodb: string }>;
  /**
   * Wraps the processor as the event source invokes it (a benchmark measures each invocation);
   * the wrapper must call the handler it is given and return its answer.
   */
  readonly wrapProcessor?: (processor: KinesisHandler) => KinesisHandler;
  /**
   * The processor's UNSIGNED_RECORDS (signature-check.ts), for a test or benchmark whose every
   * writer signs and that must hold whatever the local default is. @default localAwsEnv's
   */
  readonly unsignedRecords?: UnsignedPolicy;
}

export interface EmbeddedStack {
  readonly apiUrl: string;
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly dataDir: string;
  readonly onFailureFile: string;
  /** The raw archive folder (the stand-in for the Firehose S3 archive). */
  readonly archiveDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly issuer: DevIssuer;
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  /** The processor as the poller invokes it (for a second poller, e.g. a replay). */
  readonly processor: KinesisHandler;
  /** The processor's event source IteratorAge (see EventSourcePoller.iteratorAgeMs). */
  iteratorAgeMs(): number;
  /**
   * Where the processor's event source stands per shard: past a record only once the
   * processor committed it and every record before it (or sent them to on-failure).
   */
  readonly processorCheckpoints: Pick<CheckpointStore, 'get'>;
  stop(): Promise<void>;
}

/**
 * Starts the whole pipeline on this machine: emulators, stream and tables, the processor
 * behind an event-source poller, and the impact API behind an API Gateway stand-in. The
 * handlers are the deployed ones, loaded after the SDK endpoint variables are set, so they
 * reach the emulators through the SDK's own configuration.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<EmbeddedStack> {
  mkdirSync(options.dataDir, { recursive: true });
  const emulators = await openEmulators(options);
  try {
    const aws = await connectToEmulators(options, emulators);
    await provisionLocalResources(aws.dynamodb, aws.kinesis, {
      shardCount: options.shardCount ?? 2,
    });
    const processor = await loadProcessorHandler();
    const impactApi = await loadImpactApiHandler();
    // The ops API reads the stream as the processor's event source does (the AWS side).
    const opsApi = await loadOpsApiHandler(aws.eventSourceKinesis);
    const issuer = await openDevIssuer(options.dataDir);
    const processing = startProcessing(options, aws.eventSourceKinesis, processor);
    const archiving = startArchiving(options, aws.kinesis, aws.dynamodb);
    const mcpEdge = mcpEdgeClient(options.dataDir, aws.direct.kinesis);
    const api = await startGateway(options, { impactApi, opsApi }, issuer, mcpEdge.open);
    return {
      apiUrl: api.url,
      kinesisEndpoint: emulators.kinesisEndpoint,
      dynamodbEndpoint: emulators.dynamodbEndpoint,
      dataDir: options.dataDir,
      onFailureFile: processing.onFailureFile,
      archiveDir: archiving.archiveDir,
      env: aws.env,
      issuer,
      kinesis: aws.kinesis,
      dynamodb: aws.dynamodb,
      processor: processing.invokeProcessor,
      iteratorAgeMs: () => processing.poller.iteratorAgeMs(),
      processorCheckpoints: processing.checkpoints,
      stop: async () => {
        await api.close();
        await mcpEdge.close();
        await processing.poller.stop();
        await archiving.archiver.stop();
        aws.kinesis.destroy();
        aws.eventSourceKinesis.destroy();
        aws.dynamodb.destroy();
        await emulators.close();
      },
    };
  } catch (error) {
    await emulators.close();
    throw error;
  }
}

/** The emulators the options name, or new ones on the options' ports. */
async function openEmulators(options: EmbeddedStackOptions): Promise<Emulators> {
  return options.externalEmulators !== undefined
    ? { ...options.externalEmulators, close: async () => undefined }
    : await startEmulators({
        dataDir: options.dataDir,
        kinesisPort: options.ports.kinesis,
        dynamodbPort: options.ports.dynamodb,
      });
}

/** The endpoints and SDK clients the stack talks to the emulators with. */
interface EmulatorConnections {
  /** The emulators' own endpoints (provisioning, the returned clients, the archive). */
  readonly direct: { readonly kinesis: string; readonly dynamodb: string };
  /** The SDK endpoint variables the handlers read, as set in `process.env`. */
  readonly env: Readonly<Record<string, string>>;
  readonly kinesis: KinesisClient;
  /** The stream as the processor's event source reads it (the AWS side). */
  readonly eventSourceKinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
}

/**
 * Points the AWS side (the handlers' SDK endpoint variables, the processor's event source) at
 * the emulators, or at what `handlerEndpoints` puts in between, and opens the clients.
 */
async function connectToEmulators(
  options: EmbeddedStackOptions,
  emulators: Emulators,
): Promise<EmulatorConnections> {
  const direct = { kinesis: emulators.kinesisEndpoint, dynamodb: emulators.dynamodbEndpoint };
  // What the AWS side sees: the handlers' SDK endpoints, and the stream the event source reads.
  const awsSide = (await options.handlerEndpoints?.(direct)) ?? direct;
  const env = {
    ...localAwsEnv(awsSide),
    ...(options.unsignedRecords !== undefined && { UNSIGNED_RECORDS: options.unsignedRecords }),
  };
  Object.assign(process.env, env);
  const kinesis = createKinesisClient({ maxAttempts: 3, endpoint: direct.kinesis });
  const eventSourceKinesis =
    awsSide.kinesis === direct.kinesis
      ? kinesis
      : createKinesisClient({ maxAttempts: 3, endpoint: awsSide.kinesis });
  const dynamodb = new DynamoDBClient({ endpoint: direct.dynamodb });
  return { direct, env, kinesis, eventSourceKinesis, dynamodb };
}

/**
 * The processor behind an event-source poller with the CDK stack's settings (one batch per
 * shard at a time), dead-lettering to a file; started.
 */
function startProcessing(
  options: EmbeddedStackOptions,
  kinesis: KinesisClient,
  processor: Awaited<ReturnType<typeof loadProcessorHandler>>,
) {
  const onFailureFile = join(options.dataDir, 'on-failure', 'processor.ndjson');
  mkdirSync(join(options.dataDir, 'on-failure'), { recursive: true });
  const { parallelizationFactor: _oneAtATime, ...settings } = PROCESSOR_EVENT_SOURCE;
  const unwrapped: KinesisHandler = (event) =>
    processor(event as never, lambdaContext('processor') as never);
  const invokeProcessor = options.wrapProcessor?.(unwrapped) ?? unwrapped;
  const checkpoints = new FileCheckpointStore(join(options.dataDir, 'poller', 'checkpoints.json'));
  const poller = new EventSourcePoller({
    ...settings,
    ...options.eventSource,
    kinesis,
    streamName: TELEMETRY_STREAM.localName,
    handler: invokeProcessor,
    checkpoints,
    // The embedded stand-in for the SQS on-failure destination: one JSON message per line.
    onFailure: async (record) => appendFileSync(onFailureFile, `${JSON.stringify(record)}\n`),
    ...(options.onError !== undefined && { onError: options.onError }),
  });
  poller.start();
  return { poller, invokeProcessor, onFailureFile, checkpoints };
}

/** A second consumer of the stream, as Firehose is in AWS: the raw archive (started unless off). */
function startArchiving(
  options: EmbeddedStackOptions,
  kinesis: KinesisClient,
  dynamodb: DynamoDBClient,
) {
  const archiveDir = join(options.dataDir, 'archive');
  const archiver = new EventSourcePoller({
    kinesis,
    streamName: TELEMETRY_STREAM.localName,
    handler: archiveHandler(archiveDir, new DynamoDbRegistry(dynamodb, TABLES.registry.localName)),
    checkpoints: new FileCheckpointStore(join(archiveDir, 'checkpoints.json')),
    onFailure: async () => undefined,
    batchSize: 500,
    maxBatchingWindowMs: options.eventSource?.maxBatchingWindowMs ?? 1_000,
    ...(options.eventSource?.pollIntervalMs !== undefined && {
      pollIntervalMs: options.eventSource.pollIntervalMs,
    }),
  });
  if (options.archive !== false) archiver.start();
  return { archiver, archiveDir };
}

/**
 * The edge client `report_incident` sends through at `/mcp`, as it would from an on-call
 * automation's own machine; opened on the first report, not at start-up. It serves every
 * automation, so it has no device of its own: each report is sent as the device its verified
 * token names, with a seq the client assigns for that device.
 */
function mcpEdgeClient(dataDir: string, kinesisEndpoint: string) {
  let edge: Promise<EdgeClient> | undefined;
  const open = () => {
    edge ??= EdgeClient.open({
      streamName: TELEMETRY_STREAM.localName,
      kinesis: createKinesisClient({ endpoint: kinesisEndpoint }),
      spool: { dir: join(dataDir, 'mcp', 'spool') },
      // Each report is signed as its agent, with the local fleet's derived keys.
      signer: deviceSigner(LocalSigners.open(localSeedFile(dataDir))),
    });
    return edge;
  };
  return { open, close: async () => await (await edge)?.close() };
}

/**
 * The API Gateway stand-in: the impact API, the ops API, the MCP endpoint at `/mcp` and, if asked, the
 * dashboard at `/` (built first if its sources changed).
 */
async function startGateway(
  options: EmbeddedStackOptions,
  handlers: {
    impactApi: Awaited<ReturnType<typeof loadImpactApiHandler>>;
    opsApi: Awaited<ReturnType<typeof loadOpsApiHandler>>;
  },
  issuer: DevIssuer,
  openMcpEdge: () => Promise<EdgeClient>,
): Promise<ApiServer> {
  let apiBase = '';
  const api = await startApiServer({
    // The same handler the MCP function runs in AWS; locally it also has the reporter.
    mcp: createMcpLambdaHandler({
      apiUrl: () => apiBase,
      dashboardUrl: () => `${apiBase}/`,
      resourceUrl: () => `${apiBase}/mcp`,
      authorizationServer: () => DEV_ISSUER,
      reporterFor: (deviceId) => incidentReporter(openMcpEdge, deviceId),
      ...(options.mcpReportLimits !== undefined && { reportLimits: options.mcpReportLimits }),
    }) as ApiHandler,
    handler: ((event, context) => handlers.impactApi(event, context as never)) as ApiHandler,
    opsHandler: ((event, context) => handlers.opsApi(event, context as never)) as ApiHandler,
    issuer,
    port: options.ports.api,
    ...(options.apiThrottle !== undefined && { throttle: options.apiThrottle }),
    ...(options.dashboard === true && {
      site: {
        dir: await ensureDashboard(),
        config: { auth: { kind: 'dev' } },
        localSignIn: true,
      },
    }),
  });
  apiBase = api.url;
  return api;
}

function lambdaContext(functionName: string) {
  return {
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: crypto.randomUUID(),
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
