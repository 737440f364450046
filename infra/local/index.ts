/**
 * The local stack's face (`#local`) for the operator tools: provisioning a table from its
 * definition, and the environment that points the AWS SDK at the embedded stack. `npm start`
 * runs `start.ts`; tests start the stack through `embedded-stack.ts`.
 */
export { localAwsEnv } from './local-env.js';
export { ensureTable } from './provision.js';
