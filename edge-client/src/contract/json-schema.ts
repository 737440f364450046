import * as z from 'zod';
import { TelemetryEvent } from './telemetry-event.js';

/** The contract as JSON Schema (draft 2020-12), generated from the zod schema, never by hand. */
export function telemetryEventJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://schemas.store-floor-impact.local/telemetry-event/v1.json',
    title: 'Store-floor telemetry event (v1)',
    ...z.toJSONSchema(TelemetryEvent, { target: 'draft-2020-12', unrepresentable: 'throw' }),
  };
}

/** Path of the committed copy, next to this module; `npm run contract:schema` rewrites it. */
export const JSON_SCHEMA_FILE = new URL('./telemetry-event.schema.json', import.meta.url);
