import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Stream, StreamEncryption, StreamMode } from 'aws-cdk-lib/aws-kinesis';
import type { Construct } from 'constructs';
import { type EventSourceBatching, STREAM_RETENTION_HOURS } from '#processor';
import { type CapacitySettings, ON_DEMAND_CAPACITY } from './capacity-config.js';
import { AggregateTables } from './constructs/aggregate-tables.js';
import { DashboardSite } from './constructs/dashboard-site.js';
import { DeviceCredentials } from './constructs/device-credentials.js';
import { EdgeRateLimits } from './constructs/edge-rate-limits.js';
import { FleetWatch } from './constructs/fleet-watch.js';
import { type ApiCustomDomain, ImpactApi } from './constructs/impact-api.js';
import { McpEndpoint } from './constructs/mcp-endpoint.js';
import { OperationsMonitoring } from './constructs/operations-monitoring.js';
import { OpsApi } from './constructs/ops-api.js';
import { RawArchive } from './constructs/raw-archive.js';
import { StreamProcessor } from './constructs/stream-processor.js';
import { STAGE_CONFIG, type StageConfig, valuationEnvironment } from './stage-config.js';

export interface TelemetryPipelineStackProps extends StackProps {
  /** Stage settings (retention, removal). @default STAGE_CONFIG.dev */
  readonly stage?: StageConfig;
  /** Where alarm e-mails go (context `alarmEmail`). @default none */
  readonly alarmEmail?: string;
  /** Hours-saved baseline table as JSON (see functions/domain/hours-saved.ts). */
  readonly hoursSavedBaselines?: string;
  /**
   * The API's own domain (context `apiDomain`, `apiCertificateArn`): CloudFront's origin, and
   * the execute-api endpoint is disabled. @default none (CloudFront uses execute-api)
   */
  readonly apiDomain?: ApiCustomDomain;
  /**
   * A CLOUDFRONT-scope web ACL in us-east-1 (context `webAclArn`), for a stack deployed in
   * another region; in us-east-1 the stack creates its own. @default none
   */
  readonly webAclArn?: string;
  /**
   * How the stream and the aggregates table buy capacity (context `kinesisShards`,
   * `dynamodbCapacity` and its bounds; capacity-config.ts). @default ON_DEMAND_CAPACITY
   */
  readonly capacity?: CapacitySettings;
  /** The event source's batch size and window. @default the stage's (`StageConfig.batching`) */
  readonly batching?: EventSourceBatching;
  /**
   * Unsigned records (context `unsignedRecords`): `refuse` dead-letters them; `accept` counts
   * them, for a migration window, with the UnsignedRecords metric and its alarm.
   * @default 'refuse'
   */
  readonly unsignedRecords?: 'refuse' | 'accept';
}

/**
 * The whole pipeline: the telemetry stream, the processor that folds it into aggregates, the
 * tables, the impact API with its user pool, the operators' ops API on the same HTTP API, and
 * the scheduled fleet watch.
 */
export class TelemetryPipelineStack extends Stack {
  public readonly stream: Stream;
  public readonly tables: AggregateTables;
  public readonly processor: StreamProcessor;
  public readonly api: ImpactApi;
  public readonly opsApi: OpsApi;
  /** The MCP server for assistants, at `/mcp` on the API. */
  public readonly mcp: McpEndpoint;
  public readonly fleetWatch: FleetWatch;
  public readonly monitoring: OperationsMonitoring;
  public readonly deviceCredentials: DeviceCredentials;
  public readonly archive: RawArchive;
  public readonly site: DashboardSite;
  public readonly edgeRateLimits: EdgeRateLimits;

  constructor(scope: Construct, id: string, props: TelemetryPipelineStackProps = {}) {
    super(scope, id, props);
    const stage = props.stage ?? STAGE_CONFIG.dev;
    const capacity = props.capacity ?? ON_DEMAND_CAPACITY;
    // The processor's event source and the edge client work the same on either mode.
    this.stream = new Stream(this, 'TelemetryStream', {
      ...(capacity.kinesis.mode === 'on-demand'
        ? { streamMode: StreamMode.ON_DEMAND }
        : { streamMode: StreamMode.PROVISIONED, shardCount: capacity.kinesis.shards }),
      encryption: StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(STREAM_RETENTION_HOURS),
      removalPolicy: stage.removalPolicy,
    });
    this.tables = new AggregateTables(this, 'Tables', {
      removalPolicy: stage.removalPolicy,
      deletionProtection: stage.deletionProtection,
      aggregatesCapacity: capacity.dynamodb,
    });
    this.processor = this.addProcessor(stage, props.batching ?? stage.batching, {
      ...(props.hoursSavedBaselines !== undefined && {
        hoursSavedBaselines: props.hoursSavedBaselines,
      }),
      unsignedRecords: props.unsignedRecords ?? 'refuse',
    });
    this.api = this.addImpactApi(stage, props.apiDomain);
    this.opsApi = new OpsApi(this, 'OpsApi', {
      httpApi: this.api.httpApi,
      stream: this.stream,
      aggregates: this.tables.aggregates,
      registry: this.tables.registry,
      deadLetters: this.tables.deadLetters,
      pipelineStatus: this.tables.pipelineStatus,
      processorSettings: this.processor.settings,
      logRetention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    this.fleetWatch = new FleetWatch(this, 'FleetWatch', {
      aggregates: this.tables.aggregates,
      logRetention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    this.edgeRateLimits = new EdgeRateLimits(this, 'EdgeRateLimits', {
      limits: stage.edgeRateLimits,
      ...(props.webAclArn !== undefined && { existingWebAclArn: props.webAclArn }),
    });
    this.site = this.addDashboardSite(stage);
    this.mcp = new McpEndpoint(this, 'Mcp', {
      httpApi: this.api.httpApi,
      apiUrl: `https://${this.api.originDomainName}`,
      publicUrl: `https://${this.site.distribution.distributionDomainName}`,
      authorizationServer: this.api.userPool.userPoolProviderUrl,
      logRetention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    this.archive = this.addRawArchive(stage);
    this.deviceCredentials = this.addDeviceCredentials();
    this.monitoring = this.addMonitoring(props.alarmEmail);
    this.addOutputs();
  }

  /** The processor: the stream into the aggregates, poison records to the dead-letter table. */
  private addProcessor(
    stage: StageConfig,
    batching: EventSourceBatching,
    settings: { hoursSavedBaselines?: string; unsignedRecords: 'refuse' | 'accept' },
  ): StreamProcessor {
    return new StreamProcessor(this, 'Processor', {
      stream: this.stream,
      aggregates: this.tables.aggregates,
      registry: this.tables.registry,
      deadLetters: this.tables.deadLetters,
      pipelineStatus: this.tables.pipelineStatus,
      logRetention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
      onFailureRetention: stage.onFailureRetention,
      batching,
      ...settings,
    });
  }

  private addImpactApi(stage: StageConfig, apiDomain: ApiCustomDomain | undefined): ImpactApi {
    return new ImpactApi(this, 'ImpactApi', {
      aggregates: this.tables.aggregates,
      registry: this.tables.registry,
      logRetention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
      ...(apiDomain !== undefined && { customDomain: apiDomain }),
      valuationEnvironment: valuationEnvironment(stage),
    });
  }

  /** The dashboard in front of the API, with its address and its sign-in domain as outputs. */
  private addDashboardSite(stage: StageConfig): DashboardSite {
    const site = new DashboardSite(this, 'Dashboard', {
      apiOriginDomainName: this.api.originDomainName,
      webAclId: this.edgeRateLimits.webAclId,
      userPool: this.api.userPool,
      userPoolClient: this.api.userPoolClient,
      stage: stage.name,
      removalPolicy: stage.removalPolicy,
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${site.distribution.distributionDomainName}/`,
    });
    new CfnOutput(this, 'LoginDomain', { value: site.loginDomain.baseUrl() });
    return site;
  }

  /** The raw archive of the stream, with its bucket's name as an output. */
  private addRawArchive(stage: StageConfig): RawArchive {
    const archive = new RawArchive(this, 'RawArchive', {
      stream: this.stream,
      registry: this.tables.registry,
      logRetention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
      ...(stage.archiveExpiry !== undefined && { expireAfter: stage.archiveExpiry }),
    });
    new CfnOutput(this, 'ArchiveBucket', { value: archive.bucket.bucketName });
    return archive;
  }

  /** The panel PCs' way in, with the role alias and IoT policy to register them by. */
  private addDeviceCredentials(): DeviceCredentials {
    const devices = new DeviceCredentials(this, 'Devices', { stream: this.stream });
    new CfnOutput(this, 'DeviceRoleAlias', { value: devices.roleAlias.ref });
    new CfnOutput(this, 'DeviceIotPolicy', { value: devices.iotPolicy.ref });
    return devices;
  }

  private addMonitoring(alarmEmail: string | undefined): OperationsMonitoring {
    return new OperationsMonitoring(this, 'Operations', {
      processor: this.processor.function,
      onFailureQueue: this.processor.onFailureQueue,
      api: this.api.httpApi,
      apiFunction: this.api.function,
      fleetWatch: this.fleetWatch,
      tables: [
        this.tables.aggregates,
        this.tables.registry,
        this.tables.deadLetters,
        this.tables.pipelineStatus,
      ],
      ...(alarmEmail !== undefined && { alarmEmail }),
    });
  }

  /** What operations and the tools need to find: the alarm topic, the stream, the API, the tables. */
  private addOutputs(): void {
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'StreamName', { value: this.stream.streamName });
    // The API's public address is CloudFront's (its WAF rules and response headers apply).
    new CfnOutput(this, 'ApiUrl', {
      value: `https://${this.site.distribution.distributionDomainName}`,
    });
    // Where an assistant connects (Streamable HTTP, a Cognito token as bearer).
    new CfnOutput(this, 'McpUrl', { value: this.mcp.url });
    new CfnOutput(this, 'AggregatesTable', { value: this.tables.aggregates.tableName });
    new CfnOutput(this, 'RegistryTable', { value: this.tables.registry.tableName });
    new CfnOutput(this, 'DeadLetterTable', { value: this.tables.deadLetters.tableName });
    new CfnOutput(this, 'PipelineStatusTable', { value: this.tables.pipelineStatus.tableName });
    new CfnOutput(this, 'OnFailureQueueUrl', { value: this.processor.onFailureQueue.queueUrl });
  }
}
