/**
 * The local stack's face (`#local`) for the operator tools: provisioning a table from its
 * definition. `npm start` runs `start.ts`; tests start the stack through `embedded-stack.ts`.
 */
export { ensureTable } from './provision.js';
