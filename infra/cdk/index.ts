/**
 * The CDK app's face (`#cdk`) for the operator tools: the stack, its stages and the functions'
 * sizing that the cost plan prices. `app.ts` is the app `cdk.json` runs.
 */
export { FUNCTION_SIZING, PROCESSOR_MEMORY_MB } from './constructs/function-defaults.js';
export { STAGE_CONFIG, type StageConfig, stageFromContext } from './stage-config.js';
export { TelemetryPipelineStack } from './telemetry-pipeline-stack.js';
