import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { capacityFromContext } from './capacity-config.js';
import { batchingFromContext, stackNameOf, stageFromContext } from './stage-config.js';
import { TelemetryPipelineStack } from './telemetry-pipeline-stack.js';

const app = new App();
// cdk-nag's AWS Solutions pack runs on every synth; a finding fails it unless acknowledged
// on its construct with a reason (see the constructs).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stage = stageFromContext(app.node.tryGetContext('stage'));
const context = (name: string): string | undefined => {
  const value = app.node.tryGetContext(name);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const apiDomain = context('apiDomain');
const apiCertificateArn = context('apiCertificateArn');
if ((apiDomain === undefined) !== (apiCertificateArn === undefined)) {
  throw new Error('context "apiDomain" and "apiCertificateArn" go together: give both or neither');
}
const capacity = capacityFromContext((name) => app.node.tryGetContext(name));
const batching = batchingFromContext(stage, (name) => app.node.tryGetContext(name));
const unsignedRecords = context('unsignedRecords') ?? 'refuse';
if (unsignedRecords !== 'refuse' && unsignedRecords !== 'accept') {
  throw new Error('context "unsignedRecords" is refuse (the default) or accept');
}
const stack = new TelemetryPipelineStack(app, stackNameOf(stage.name), {
  stage,
  capacity,
  batching,
  unsignedRecords,
  ...(context('alarmEmail') !== undefined && { alarmEmail: context('alarmEmail') }),
  ...(apiDomain !== undefined &&
    apiCertificateArn !== undefined && {
      apiDomain: { domainName: apiDomain, certificateArn: apiCertificateArn },
    }),
  ...(context('webAclArn') !== undefined && { webAclArn: context('webAclArn') }),
  description: `Store-floor AI telemetry pipeline (${stage.name}): shrink caught and prevented, staff hours saved`,
  // Account and region come from the deploying credentials (`cdk deploy`); synth needs neither.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Tags.of(stack).add('project', 'store-floor-impact');
Tags.of(stack).add('stage', stage.name);
app.synth();
