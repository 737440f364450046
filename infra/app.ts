import { App } from 'aws-cdk-lib';
import { TelemetryPipelineStack } from './stacks/telemetry-pipeline-stack.js';

const app = new App();
new TelemetryPipelineStack(app, 'StoreFloorImpact', {
  description: 'Store-floor AI telemetry pipeline: shrink caught and prevented, staff hours saved',
  // Account and region come from the deploying credentials (`cdk deploy`); synth needs neither.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
