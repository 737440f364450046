/**
 * The CDK app's face (`#cdk`) for the operator tools: the processor's memory, which the cost
 * plan prices as deployed, and the stages and their stack names, which the smoke test finds a
 * deployment by. `app.ts` is the app `cdk.json` runs.
 */
export { PROCESSOR_MEMORY_MB } from './constructs/function-defaults.js';
export { STAGES, type StageName, stackNameOf } from './stage-config.js';
