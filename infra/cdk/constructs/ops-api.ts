import type { RemovalPolicy } from 'aws-cdk-lib';
import { type HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IStream } from 'aws-cdk-lib/aws-kinesis';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routesOf } from '#impact-api';
import { TELEMETRY_STREAM } from '#shared/resources';
import { pipelineFunction } from './function-defaults.js';

/**
 * The stream reads a replay and the status make, and nothing more: GetShardIterator and
 * GetRecords read a letter's record back (readStreamRecords), ListShards lists the shards
 * (listShards). No DescribeStream*, no SubscribeToShard, no consumer.
 */
export const OPS_STREAM_ACTIONS = [
  'kinesis:GetShardIterator',
  'kinesis:GetRecords',
  'kinesis:ListShards',
] as const;

export interface OpsApiProps {
  /** The HTTP API (with its JWT authorizer as the default) the ops routes are added to. */
  readonly httpApi: HttpApi;
  /** The telemetry stream, which a replay reads records back from and the status lists. */
  readonly stream: IStream;
  /** The aggregates, which a replay writes as the processor does. */
  readonly aggregates: TableV2;
  /** The registry, which a replay reads as the processor does. */
  readonly registry: TableV2;
  /** The dead-letter table: read, and written by a replay (letters again, replay marks). */
  readonly deadLetters: TableV2;
  /** Each shard's last batch, which the status reads. */
  readonly pipelineStatus: TableV2;
  /**
   * The processor's settings (`StreamProcessor.settings`), so a replay judges records as the
   * live processor does.
   */
  readonly processorSettings: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The ops API: the `/v1/ops/*` routes of the HTTP API's route list (`function: 'ops-api'`),
 * behind the same stage, throttle and Cognito JWT authorizer as the impact API, in front of a
 * function of its own. It is separate for least privilege: the impact API keeps its read-only
 * grants on the aggregates and the registry; this one reads the dead letters and the pipeline
 * status, and for the replay reads the stream and the registry and writes the aggregates and
 * the dead letters as the processor does. The handler answers operator tokens
 * (`custom:role` = `operator`) only.
 */
export class OpsApi extends Construct {
  public readonly function: NodejsFunction;
  /** The routes added, one per ops route of ROUTES. */
  public readonly routes: readonly HttpRoute[];

  constructor(scope: Construct, id: string, props: OpsApiProps) {
    super(scope, id);
    this.function = pipelineFunction(this, {
      name: 'ops-api',
      entry: 'functions/ops-api/handler.ts',
      description:
        "Answers operators' dead-letter and pipeline-status queries, and replays dead letters from the stream",
      tables: [
        { name: 'deadLetters', table: props.deadLetters, access: 'readWrite' },
        { name: 'aggregates', table: props.aggregates, access: 'readWrite' },
        { name: 'registry', table: props.registry, access: 'read' },
        { name: 'pipelineStatus', table: props.pipelineStatus, access: 'read' },
      ],
      environment: {
        ...props.processorSettings,
        [TELEMETRY_STREAM.envVar]: props.stream.streamName,
      },
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    }).fn;
    props.stream.grant(this.function, ...OPS_STREAM_ACTIONS);
    // A stream under a customer key needs its decrypt too; the AWS-managed key needs none.
    props.stream.encryptionKey?.grantDecrypt(this.function);
    const integration = new HttpLambdaIntegration('Ops', this.function);
    // Every ops route takes the API's default authorizer (the Cognito JWT): none is public.
    this.routes = routesOf('ops-api').flatMap((route) =>
      props.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
      }),
    );
  }
}
