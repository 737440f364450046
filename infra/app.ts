import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { TelemetryPipelineStack } from './stacks/telemetry-pipeline-stack.js';

const app = new App();
// cdk-nag's AWS Solutions pack runs on every synth; a finding fails it unless acknowledged
// on its construct with a reason (see the constructs).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
new TelemetryPipelineStack(app, 'StoreFloorImpact', {
  description: 'Store-floor AI telemetry pipeline: shrink caught and prevented, staff hours saved',
  // Account and region come from the deploying credentials (`cdk deploy`); synth needs neither.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
