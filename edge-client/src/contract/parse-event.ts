import type { z } from 'zod';
import { MAX_EVENT_BYTES, TelemetryEvent } from './telemetry-event.js';

/** One problem with an event, named by the path of the offending field. */
export interface ContractIssue {
  readonly path: string;
  readonly message: string;
}

export type ParseResult =
  | { readonly ok: true; readonly event: TelemetryEvent }
  | {
      readonly ok: false;
      /** `undecodable`: not UTF-8 JSON or too large; `invalid`: JSON that breaks the contract. */
      readonly kind: 'undecodable' | 'invalid';
      readonly issues: readonly ContractIssue[];
    };

/**
 * Flattens zod issues into `{ path, message }` pairs. Messages name fields and expectations,
 * never the offending values, so they are safe to log and to dead-letter.
 */
export function toContractIssues(error: z.ZodError): ContractIssue[] {
  const pathOf = (path: readonly PropertyKey[]) =>
    path.length > 0 ? path.map(String).join('.') : '(event)';
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: pathOf([...issue.path, key]),
          message: 'not a field of the v1 contract',
        }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}

/** Validates an already-decoded value against the v1 contract. */
export function parseTelemetryEvent(input: unknown): ParseResult {
  const result = TelemetryEvent.safeParse(input);
  return result.success
    ? { ok: true, event: result.data }
    : { ok: false, kind: 'invalid', issues: toContractIssues(result.error) };
}

/** Decodes and validates one serialized event (UTF-8 JSON). */
export function parseTelemetryJson(bytes: Uint8Array): ParseResult {
  if (bytes.byteLength > MAX_EVENT_BYTES) {
    return {
      ok: false,
      kind: 'undecodable',
      issues: [{ path: '(event)', message: `larger than ${MAX_EVENT_BYTES} bytes` }],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return {
      ok: false,
      kind: 'undecodable',
      issues: [{ path: '(event)', message: 'not valid UTF-8 JSON' }],
    };
  }
  return parseTelemetryEvent(value);
}
