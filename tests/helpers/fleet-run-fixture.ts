/** A bench:fleet profile's per-event figures (the window-60s run of 2026-12-01), for plan tests. */
export const MEASURED_FLEET_FIGURES = {
  eventsPerRecord: 1.009,
  kinesisKbPerEvent: 0.9906,
  firehoseBytesPerEvent: 5072,
  dynamodbWritesPerEvent: 0.1362,
  writeUnitsPerEvent: 0.23,
  readUnitsPerEvent: 0.5516,
  processorCpuMsPer1000Events: 647.3,
  eventsPerStorePerBatch: 17.59,
  freshnessP50Seconds: 45.2,
  freshnessP99Seconds: 78.3,
};
