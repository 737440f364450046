import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { capacityFromContext } from '../../infra/cdk/capacity-config.js';
import { TelemetryPipelineStack } from '../../infra/cdk/telemetry-pipeline-stack.js';

function checkedApp(): App {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

describe('Security checks: cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the pipeline stack', () => {
    const app = checkedApp();
    new TelemetryPipelineStack(app, 'Nag');
    expect(() => app.synth()).not.toThrow();
  });

  it('finds nothing unacknowledged with provisioned capacity (auto-scaled aggregates, fixed shards)', () => {
    const app = checkedApp();
    const context: Record<string, string> = { dynamodbCapacity: 'provisioned', kinesisShards: '9' };
    new TelemetryPipelineStack(app, 'NagProvisioned', {
      capacity: capacityFromContext((name) => context[name]),
    });
    expect(() => app.synth()).not.toThrow();
  });

  it('does fail synthesis on a finding (the check above can fail)', () => {
    const app = checkedApp();
    new Queue(new Stack(app, 'Bad'), 'PlainQueue');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
