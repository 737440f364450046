import { startChaosProxy } from './chaos-proxy.js';

export interface DynamoDbFaultProxy {
  readonly url: string;
  /** Writes that landed but whose answer was replaced by a 500 (a crash right after writing). */
  readonly lostAcks: number;
  /** Writes refused with a 500 before reaching the emulator. */
  readonly refused: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of the DynamoDB emulator that makes writes fail the two ways a
 * crashing or partitioned processor sees: refused before they land, or landed with the answer
 * lost (the caller retries or dies not knowing it succeeded). Reads pass untouched.
 */
export async function startDynamoDbFaultProxy(
  target: string,
  shares: { refuse: number; loseAck: number },
  seed = 7,
): Promise<DynamoDbFaultProxy> {
  const proxy = await startChaosProxy(
    target,
    { refuseWriteShare: shares.refuse, loseAckShare: shares.loseAck },
    seed,
  );
  return {
    url: proxy.url,
    get lostAcks() {
      return proxy.counts.lostAcks;
    },
    get refused() {
      return proxy.counts.refused;
    },
    close: () => proxy.close(),
  };
}
