export { JSON_SCHEMA_FILE, telemetryEventJsonSchema } from './json-schema.js';
export {
  type ContractIssue,
  type ParseResult,
  parseTelemetryEvent,
  parseTelemetryJson,
  toContractIssues,
} from './parse-event.js';
export * from './telemetry-event.js';
