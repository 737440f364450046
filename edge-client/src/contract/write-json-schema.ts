import { writeFileSync } from 'node:fs';
import { JSON_SCHEMA_FILE, telemetryEventJsonSchema } from './json-schema.js';

writeFileSync(JSON_SCHEMA_FILE, `${JSON.stringify(telemetryEventJsonSchema(), null, 2)}\n`);
console.log(`wrote ${JSON_SCHEMA_FILE.pathname}`);
