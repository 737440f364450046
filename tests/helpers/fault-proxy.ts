import { startChaosProxy } from './chaos-proxy.js';

export interface FaultProxy {
  readonly url: string;
  /** Records failed with ProvisionedThroughputExceededException so far. */
  readonly throttled: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the Kinesis emulator that fails a share of PutRecords entries
 * with `ProvisionedThroughputExceededException`, as Kinesis does under load (the emulators
 * never throttle). Failed entries are removed from the forwarded request, so they really are
 * not written, and an error entry takes their place in the response.
 */
export async function startThrottlingProxy(
  target: string,
  failShare: number,
  seed = 1,
): Promise<FaultProxy> {
  const proxy = await startChaosProxy(target, { putRecordsFailShare: failShare }, seed);
  return {
    url: proxy.url,
    get throttled() {
      return proxy.counts.throttled;
    },
    close: () => proxy.close(),
  };
}
