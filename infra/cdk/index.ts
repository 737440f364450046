/**
 * The CDK app's face (`#cdk`) for the operator tools: the processor's memory, which the cost
 * plan prices as deployed. `app.ts` is the app `cdk.json` runs.
 */
export { PROCESSOR_MEMORY_MB } from './constructs/function-defaults.js';
