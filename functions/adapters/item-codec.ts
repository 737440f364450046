import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { COUNTER_NAMES, type Counters } from '#domain/counters';

export type Item = Record<string, AttributeValue>;

/** Prefix of the per-contributor version attributes of rollup items. */
export const VERSION_PREFIX = 'v:';
/** Prefix of the per-contributor snapshot attributes of rollup items. */
export const SNAPSHOT_PREFIX = 's:';

/** The counters of an aggregate item: its attributes named in COUNTER_NAMES. */
export function countersOf(item: Item): Counters {
  const counters: Counters = {};
  for (const [name, value] of Object.entries(item)) {
    if (COUNTER_NAMES.has(name) && value.N !== undefined) counters[name] = Number(value.N);
  }
  return counters;
}

export const str = (item: Item, name: string): string | undefined => item[name]?.S;
export const num = (item: Item, name: string): number => Number(item[name]?.N ?? 0);

export function readNumberMap(value: AttributeValue | undefined): Counters {
  return Object.fromEntries(Object.entries(value?.M ?? {}).map(([k, v]) => [k, Number(v.N ?? 0)]));
}

export function readStringMap(value: AttributeValue | undefined): Map<string, string> {
  return new Map(Object.entries(value?.M ?? {}).map(([k, v]) => [k, v.S ?? '']));
}
