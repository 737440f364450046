import fc from 'fast-check';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { DeviceStatusEvent } from '#contract';
import {
  isStatusNews,
  keptGist,
  type StatusFacts,
  statusGist,
} from '../../edge-client/src/core/status-news.js';
import { mergeStatuses, type StoreHealth } from '../../functions/domain/fleet-health.js';

const NOW = Date.parse('2026-12-04T10:00:00.000Z');
const STORE = { storeId: 'store-0001', region: 'us-east', timeZone: 'UTC' };
const quiet: StatusFacts = {
  spool: { bytes: 0, oldestUnsentAgeSeconds: 0 },
  daemonVersion: '0.1.0',
  models: [{ name: 'shrink-vision', version: '4.2.1' }],
};
const news = (a: StatusFacts, b: StatusFacts) => isStatusNews(statusGist(a), statusGist(b));

describe('Function: isStatusNews (whether a daemon reports before its heartbeat)', () => {
  it('is news for a first status, and none for the same again or a spool of seconds', () => {
    expect(isStatusNews(undefined, statusGist(quiet))).toBe(true);
    expect(news(quiet, quiet)).toBe(false);
    // A gateway's linger holds seconds of events: some bytes, no backlog.
    expect(news(quiet, { ...quiet, spool: { bytes: 40_000, oldestUnsentAgeSeconds: 45 } })).toBe(
      false,
    );
  });

  it('is news for a backlog while it lasts, and for its end', () => {
    const backlog = (age: number) => ({
      ...quiet,
      spool: { bytes: 9_000, oldestUnsentAgeSeconds: age },
    });
    expect(news(quiet, backlog(300))).toBe(true);
    expect(news(backlog(300), backlog(3_599))).toBe(true);
    expect(news(backlog(3_599), backlog(3_600))).toBe(true);
    expect(news(backlog(3_600), quiet)).toBe(true);
    expect(news(backlog(3_600), backlog(299))).toBe(true);
    expect(news(backlog(299), backlog(299))).toBe(false);
  });

  it('is news for another error code, or none after one, not for the same code again', () => {
    const failing = (code: string) => ({ ...quiet, lastError: { code } });
    expect(news(quiet, failing('ProvisionedThroughputExceededException'))).toBe(true);
    expect(news(failing('a'), failing('a'))).toBe(false);
    expect(news(failing('a'), failing('b'))).toBe(true);
    expect(news(failing('a'), quiet)).toBe(true);
  });

  it("is news for a rollout or another version, not for a lane's first naming or its models ageing out to none", () => {
    const models = (...versions: string[]) => ({
      ...quiet,
      models: versions.map((version) => ({ name: 'shrink-vision', version })),
    });
    expect(news(models('4.1.0'), models('4.1.0', '4.2.1'))).toBe(true);
    expect(news(models('4.1.0', '4.2.1'), models('4.2.1', '4.1.0'))).toBe(false);
    expect(news(models(), models('4.2.1'))).toBe(false);
    expect(news(models('4.2.1'), models())).toBe(false);
    expect(news(quiet, { ...quiet, daemonVersion: '0.2.0' })).toBe(true);
  });

  it("is what the pipeline's fleet health writes at once, neither refresh nor silence due, and a backlog", () => {
    const facts = fc.record(
      {
        spool: fc.record({
          bytes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 10_000_000 })),
          oldestUnsentAgeSeconds: fc.constantFrom(0, 45, 299, 300, 1_800, 3_599, 3_600, 90_000),
        }),
        lastError: fc.option(fc.record({ code: fc.constantFrom('Throttled', 'NetworkingError') }), {
          nil: undefined,
        }),
        daemonVersion: fc.constantFrom('0.1.0', '0.2.0'),
        models: fc.subarray([
          { name: 'shrink-vision', version: '4.1.0' },
          { name: 'shrink-vision', version: '4.2.1' },
          { name: 'sweep-watch', version: '1.0.0' },
        ]),
      },
      { requiredKeys: ['spool', 'daemonVersion', 'models'] },
    );
    const event = (f: StatusFacts, at: number, seq: number): DeviceStatusEvent => ({
      schemaVersion: 1,
      type: 'device_status',
      eventId: ulid(at),
      deviceId: 'panel-store-0001-lane-01',
      occurredAt: new Date(at).toISOString(),
      seq,
      storeId: STORE.storeId,
      spool: f.spool,
      ...(f.lastError !== undefined && {
        lastError: { code: f.lastError.code, at: new Date(at).toISOString() },
      }),
      daemonVersion: f.daemonVersion,
      models: [...f.models],
    });
    fc.assert(
      fc.property(facts, facts, (a, b) => {
        // The store's item holds `a`; `b` arrives 5 minutes after it, before the refresh (10
        // minutes) or RESEEN_AFTER_MS (8) is due.
        const first = mergeStatuses(
          undefined,
          STORE,
          [{ kind: 'panel', event: event(a, NOW, 1), arrivedAt: NOW }],
          NOW,
        );
        const stored = { ...first.next, version: 1 };
        const at = NOW + 5 * 60_000;
        const merged = mergeStatuses(
          stored,
          STORE,
          [{ kind: 'panel', event: event(b, at, 2), arrivedAt: at }],
          at + 1_000,
        );
        expect(news(a, b)).toBe(merged.write || statusGist(b).backlog > 0);
      }),
    );
    fc.assert(
      fc.property(facts, facts, facts, (a, b, c) => {
        // Over three statuses: the item holds `a`, then `b` (written 10 minutes on, as due),
        // and `c` arrives 5 minutes after `b`. The daemon tells news from what it kept of the
        // two it sent (keptGist), as the item keeps a lane's models over a status naming none.
        let stored: StoreHealth | undefined;
        [a, b].forEach((f, i) => {
          const at = NOW + i * 10 * 60_000;
          const merged = mergeStatuses(
            stored,
            STORE,
            [{ kind: 'panel', event: event(f, at, i + 1), arrivedAt: at }],
            at,
          );
          stored = { ...merged.next, version: i + 1 };
        });
        const at = NOW + 15 * 60_000;
        const merged = mergeStatuses(
          stored,
          STORE,
          [{ kind: 'panel', event: event(c, at, 3), arrivedAt: at }],
          at + 1_000,
        );
        const kept = keptGist(keptGist(undefined, statusGist(a)), statusGist(b));
        expect(isStatusNews(kept, statusGist(c))).toBe(merged.write || statusGist(c).backlog > 0);
      }),
      { numRuns: 2_000 },
    );
  });
});
