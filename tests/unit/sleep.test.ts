import { describe, expect, it } from 'vitest';
import { sleep } from '#edge-client';

describe('Function: sleep', () => {
  it('resolves after the delay when nothing aborts it', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });

  it("rejects with the signal's reason when aborted while waiting, without waiting out the delay", async () => {
    // Prepare
    const stop = new AbortController();
    const reason = new Error('stopping');

    // Act: an hour-long sleep, aborted right away.
    const slept = sleep(3_600_000, stop.signal);
    stop.abort(reason);

    // Assess: it rejects now, not in an hour (the test would time out).
    await expect(slept).rejects.toBe(reason);
  });

  it('rejects at once when the signal has already aborted', async () => {
    const reason = new Error('already stopped');
    await expect(sleep(3_600_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});
