import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { queryCoverage } from '#adapters';
import { type FleetWatchReport, fleetWatchReport } from '#domain/fleet-watch';

export interface FleetWatchRun {
  readonly report: FleetWatchReport;
  /** Summaries read (test stores included). */
  readonly summariesRead: number;
  /** More summaries than `maxStores` were stored: the report covers the first read. */
  readonly truncated: boolean;
  /**
   * Items of the partition that are no summary (not JSON, not its shape): left out of the
   * report, so one bad item never stops the watch; their stores are not watched.
   */
  readonly unreadable: number;
}

/**
 * One run of the watch: the stores' coverage summaries, one Query of their one partition
 * (paged, at most `maxStores`), judged as of `now`. The handler and `npm run fleet-watch` both
 * run it.
 */
export async function watchFleet(
  client: DynamoDBClient,
  options: { readonly aggregatesTable: string; readonly maxStores: number; readonly now: number },
): Promise<FleetWatchRun> {
  const { summaries, truncated, unreadable } = await queryCoverage(
    client,
    options.aggregatesTable,
    undefined,
    options.maxStores,
  );
  return {
    report: fleetWatchReport(summaries, options.now),
    summariesRead: summaries.length,
    truncated,
    unreadable,
  };
}
