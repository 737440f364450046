/**
 * What each record body format costs (issue 19): bytes per event and CPU per 1,000 events to
 * compress (the sender) and to inflate (the processor), gzip against dictionary-deflate, on the
 * same events packed the same way: a store's events, `eventsPerRecord` to a KPL aggregate, as
 * a store gateway (or a dense sender) builds them.
 */
import type { TelemetryEvent } from '#contract';
import {
  deflateWithDictionary,
  encodeAggregate,
  gzipRecord,
  inflateRecord,
  inflateWithDictionary,
} from '#wire';
import { cpuMicros } from './signing-cost.js';

const FORMATS = {
  gzip: { compress: gzipRecord, inflate: (b: Buffer) => inflateRecord(b) },
  dictionary: {
    compress: (b: Buffer) => deflateWithDictionary(b),
    inflate: (b: Buffer) => inflateWithDictionary(b),
  },
} as const;

export interface CompressionCost {
  readonly format: keyof typeof FORMATS;
  readonly eventsPerRecord: number;
  /** Compressed body bytes per event (before any signed envelope). */
  readonly bytesPerEvent: number;
  readonly compressMsPer1000Events: number;
  readonly inflateMsPer1000Events: number;
}

/** Both formats' costs for `events` grouped by store, `eventsPerRecord` to a record. */
export function compressionCost(
  events: readonly TelemetryEvent[],
  eventsPerRecord: number,
): CompressionCost[] {
  const byStore = new Map<string, Buffer[]>();
  for (const e of events) {
    const key = e.type === 'oncall_incident' ? (e.storeId ?? e.deviceId) : e.storeId;
    const list = byStore.get(key) ?? [];
    list.push(Buffer.from(JSON.stringify(e)));
    byStore.set(key, list);
  }
  const aggregates: Buffer[] = [];
  let packed = 0;
  for (const [partitionKey, list] of byStore)
    for (let i = 0; i + eventsPerRecord <= list.length; i += eventsPerRecord) {
      const users = list.slice(i, i + eventsPerRecord).map((data) => ({ partitionKey, data }));
      aggregates.push(encodeAggregate(users));
      packed += eventsPerRecord;
    }
  const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
  return Object.entries(FORMATS).map(([format, f]) => {
    let bodies: Buffer[] = [];
    const compress = cpuMicros(() => {
      bodies = aggregates.map(f.compress);
    });
    const inflate = cpuMicros(() => {
      for (const b of bodies) f.inflate(b);
    });
    return {
      format: format as keyof typeof FORMATS,
      eventsPerRecord,
      bytesPerEvent: round(bodies.reduce((s, b) => s + b.byteLength, 0) / packed),
      compressMsPer1000Events: round(compress / packed, 2),
      inflateMsPer1000Events: round(inflate / packed, 2),
    };
  });
}
