import {
  type ContractIssue,
  MAX_EVENT_BYTES,
  MAX_STATUS_MODELS,
  parseTelemetryEvent,
  type TelemetryEvent,
} from '../contract/index.js';
import type { DeliverySink } from '../delivery/delivery-sink.js';
import { GatewaySink } from '../delivery/gateway-sink.js';
import { KinesisSink } from '../delivery/kinesis-sink.js';
import { namesOtherStore } from '../delivery/store-binding.js';
import { InvalidEventError } from '../errors/invalid-event-error.js';
import { DiskSpool, type SpoolEntry } from '../spool/disk-spool.js';
import { backoffDelay } from '../utils/backoff-delay.js';
import { sleep } from '../utils/sleep.js';
import {
  type EdgeClientOptions,
  type ResolvedEdgeClientOptions,
  resolveEdgeClientOptions,
} from './edge-client-options.js';
import { newEventId } from './event-id.js';
import { SeqAllocator } from './seq-allocator.js';
import { isStatusNews, keptGist, type StatusGist, statusGist } from './status-news.js';

export { partitionKeyOf } from '../delivery/kinesis-sink.js';

type Fillable = 'schemaVersion' | 'eventId' | 'seq' | 'deviceId';

/**
 * An event as a caller hands it over: the client fills `schemaVersion`, `eventId` (a ULID),
 * `deviceId` and `seq` (its persisted counter per device) when they are absent. A client with
 * a configured `deviceId` owns the identity: it refuses an event that carries a `seq` or
 * another `deviceId` (see EdgeClientOptions.deviceId).
 */
export type EventInput = TelemetryEvent extends infer E
  ? E extends TelemetryEvent
    ? Omit<E, Fillable> & Partial<Pick<E, Fillable>>
    : never
  : never;

export interface EdgeClientMetrics {
  /** Events accepted into the spool. */
  readonly accepted: number;
  /** Events refused at `send` (invalid, or spool full). */
  readonly rejected: number;
  /** Events acknowledged by Kinesis (or, behind a gateway, by the gateway). */
  readonly sent: number;
  /** Records (or, behind a gateway, events) sent again after a failure. */
  readonly retried: number;
  /** PutRecords requests (or, behind a gateway, gateway requests). */
  readonly requests: number;
  readonly recordsPut: number;
  /** On-demand billing units of the records put (each rounded up to 1 KB). */
  readonly billedKb: number;
  /** The spool's disk use (delivered events stay on disk until their segment is deleted). */
  readonly spoolBytes: number;
  /** Bytes of the accepted events not yet acknowledged (0 once drained): what a status reports. */
  readonly unsentBytes: number;
  /** Age of the oldest event not yet acknowledged (0 when the spool is drained). */
  readonly oldestEventAgeMs: number;
  readonly corruptBytesSkipped: number;
  readonly tornTailBytes: number;
  readonly lastError?: { readonly code: string; readonly at: string };
}

/** Events read from the spool per delivery: small enough to keep memory flat, large enough to pack aggregates well. */
const WINDOW_BYTES = 1024 * 1024;
/**
 * How long a status keeps naming a model after its last detection: the pipeline's refresh of a
 * store's fleet health (10 minutes) plus a status interval (5 minutes).
 */
export const MODELS_NAMED_FOR_MS = 15 * 60_000;

/** What a client remembers between its statuses (EdgeClient.statusMemory). */
export interface StatusMemory {
  readonly lastStatus?: StatusGist;
  readonly reportedErrorAt?: string;
  /** Each model named (JSON of [name, version]) and when it was last used (epoch ms). */
  readonly models: readonly (readonly [string, number])[];
}

/**
 * The producer a panel PC runs. `send` validates an event against the contract and resolves
 * only once it is durably in the local spool; a background sender drains the spool into
 * Kinesis in batches within PutRecords' limits, aggregated in the KPL format, retrying only
 * the records that failed (exponential backoff, full jitter) for as long as it takes. An event
 * leaves the spool only after Kinesis acknowledged it, so a crash, a power cut or an outage
 * delays delivery but never loses an accepted event; the cost is that an event may be sent
 * twice, which the processor drops by (deviceId, seq).
 */
export class EdgeClient {
  private readonly stop = new AbortController();
  /** Aborted by `close`: ends a linger at once, so a closing client drains what it holds. */
  private readonly closed = new AbortController();
  private sender: Promise<void> | undefined;
  private closing = false;
  private readonly sink: DeliverySink<unknown> & { close?(): void };
  private m = {
    accepted: 0,
    rejected: 0,
    sent: 0,
    retried: 0,
    requests: 0,
    lastError: undefined as { code: string; at: string } | undefined,
  };

  private constructor(
    private readonly options: ResolvedEdgeClientOptions,
    private readonly spool: DiskSpool,
    private readonly seqs: SeqAllocator,
  ) {
    const noteError = (error: unknown) => this.noteError(error);
    this.sink =
      options.gateway !== undefined
        ? new GatewaySink(options.gateway, noteError)
        : new KinesisSink({ ...options, streamName: options.streamName as string, noteError });
  }

  /** Opens the spool (resuming whatever it holds) and starts the background sender. */
  static async open(options: EdgeClientOptions): Promise<EdgeClient> {
    const resolved = resolveEdgeClientOptions(options);
    const spool = await DiskSpool.open(options.spool);
    const seqs = await SeqAllocator.open(options.spool.dir);
    const client = new EdgeClient(resolved, spool, seqs);
    client.sender = client.run();
    return client;
  }

  /**
   * Validates and durably spools events. All-or-nothing: if any event is invalid, an
   * InvalidEventError names its index and fields and nothing is stored; if the spool is full,
   * SpoolFullError (or, with `whenFull: 'block'`, a wait for room).
   */
  async send(
    input: EventInput | readonly EventInput[],
    signal?: AbortSignal,
  ): Promise<TelemetryEvent[]> {
    if (this.closing) throw new Error('edge client is closing');
    const inputs = (Array.isArray(input) ? input : [input]) as readonly unknown[];
    const drafts = inputs.map((raw, index) => this.validate(raw, index, inputs.length > 1));
    const events: TelemetryEvent[] = [];
    for (const draft of drafts) {
      const seq = draft.seq ?? (await this.seqs.allocate(draft.deviceId));
      events.push({ ...draft.event, seq } as TelemetryEvent);
    }
    const payloads = events.map((e) => Buffer.from(JSON.stringify(e)));
    // The processor decodes no record larger than this (parseTelemetryJson): refused here, not
    // accepted and then dead-lettered. (Any number of fractional digits is a valid instant.)
    const large = payloads.findIndex((p) => p.byteLength > MAX_EVENT_BYTES);
    if (large !== -1) {
      this.m.rejected += events.length;
      throw new InvalidEventError(
        [{ path: '(event)', message: `larger than ${MAX_EVENT_BYTES} bytes serialized` }],
        inputs.length > 1 ? large : undefined,
      );
    }
    // A relay signing per event (a keyring) must hold the key of each event's device: an
    // event it could not sign is refused now, not spooled and then dead-lettered.
    const { signer } = this.options;
    const unsignable =
      typeof signer === 'function' ? payloads.findIndex((p) => signer(p) === undefined) : -1;
    if (unsignable !== -1) {
      this.m.rejected += events.length;
      throw new InvalidEventError(
        [
          {
            path: 'deviceId',
            message: `this edge client holds no signing key for ${events[unsignable]?.deviceId}`,
          },
        ],
        inputs.length > 1 ? unsignable : undefined,
      );
    }
    try {
      await this.spool.append(payloads, signal);
    } catch (error) {
      this.m.rejected += events.length;
      throw error;
    }
    this.m.accepted += events.length;
    const now = Date.now();
    for (const e of events) {
      if (e.type !== 'detection') continue;
      const model = JSON.stringify([e.model.name, e.model.version]);
      if (!this.models.has(model) && this.models.size >= MAX_STATUS_MODELS) {
        // Full: the least recently used model makes room (a rollout replaces a version).
        const [oldest] = [...this.models].sort(([, a], [, b]) => a - b)[0] ?? [];
        if (oldest !== undefined) this.models.delete(oldest);
      }
      this.models.set(model, now);
    }
    return events;
  }

  /** Set while sendStatus spools its own event (send refuses device_status otherwise). */
  private makingStatus = false;
  /**
   * The models of the detections accepted in the last MODELS_NAMED_FOR_MS, each with when it
   * was last used (at most MAX_STATUS_MODELS). A status names them all, not only those since
   * the previous status: the pipeline writes a lane's first naming of its models only with its
   * store's next refresh, and the status in that batch must still name them.
   */
  private readonly models = new Map<string, number>();
  /** The last error a status reported, so that the next one reports only a newer one. */
  private reportedErrorAt: string | undefined;
  /** What the last status sent said, against which the next is news or not (status-news.ts). */
  private lastStatus: StatusGist | undefined;

  /**
   * What this client remembers for its next status: the last one it sent (against which the
   * next is news), the last error it reported, the models it named and when each was last
   * used. A process that hosts many devices' clients in turn, closing and reopening each (a
   * simulator, a benchmark), carries it over with resumeStatusMemory, as one long-running
   * daemon would keep it; a daemon that restarts starts afresh (its first status is news).
   */
  statusMemory(): StatusMemory {
    return {
      ...(this.lastStatus !== undefined && { lastStatus: this.lastStatus }),
      ...(this.reportedErrorAt !== undefined && { reportedErrorAt: this.reportedErrorAt }),
      models: [...this.models],
    };
  }

  /** Takes over what statusMemory gave of an earlier client of the same device. */
  resumeStatusMemory(memory: StatusMemory): void {
    this.lastStatus = memory.lastStatus;
    this.reportedErrorAt = memory.reportedErrorAt;
    this.models.clear();
    for (const [model, at] of memory.models.slice(-MAX_STATUS_MODELS)) this.models.set(model, at);
  }

  /**
   * Spools this client's own `device_status` (contract.ts): what it holds unsent and since
   * when, its last delivery error since the previous status, and the models it accepted
   * detections of, as `deviceId` of `storeId`. Like any event it is delivered in order, so a
   * status that arrives says the spool was that deep when it was made.
   *
   * With `onlyNews`, a status that says nothing new against the last one sent (isStatusNews:
   * what the pipeline would write at once) is not made, and this resolves to undefined: a
   * daemon asks so between its heartbeats. Its first status is always news.
   */
  async sendStatus(
    deviceId: string,
    storeId: string,
    daemonVersion: string,
    options: { readonly onlyNews?: boolean } = {},
  ): Promise<TelemetryEvent | undefined> {
    const m = this.metrics();
    const lastError =
      m.lastError !== undefined && m.lastError.at !== this.reportedErrorAt
        ? m.lastError
        : undefined;
    const since = Date.now() - MODELS_NAMED_FOR_MS;
    for (const [model, at] of this.models) if (at < since) this.models.delete(model);
    const models = [...this.models.keys()].sort().map((m) => {
      const [name, version] = JSON.parse(m) as [string, string];
      return { name, version };
    });
    const code = lastError === undefined ? undefined : errorCode(lastError.code);
    const status = {
      spool: {
        bytes: m.unsentBytes,
        oldestUnsentAgeSeconds: Math.round(m.oldestEventAgeMs / 1000),
      },
      ...(lastError !== undefined &&
        code !== undefined && { lastError: { code, at: lastError.at } }),
      daemonVersion,
      models,
    };
    const gist = statusGist(status);
    if (options.onlyNews === true && !isStatusNews(this.lastStatus, gist)) return undefined;
    this.makingStatus = true;
    try {
      const [event] = await this.send({
        type: 'device_status',
        occurredAt: new Date().toISOString(),
        ...(this.options.deviceId === undefined && { deviceId }),
        storeId,
        ...status,
      } as EventInput);
      if (lastError !== undefined) this.reportedErrorAt = lastError.at;
      this.lastStatus = keptGist(this.lastStatus, gist);
      return event;
    } finally {
      this.makingStatus = false;
    }
  }

  private validate(
    raw: unknown,
    index: number,
    many: boolean,
  ): { event: TelemetryEvent; deviceId: string; seq?: number } {
    const base =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : undefined;
    if (base === undefined) {
      this.m.rejected++;
      throw new InvalidEventError(
        [{ path: '(event)', message: 'must be a JSON object' }],
        many ? index : undefined,
      );
    }
    const owned = this.options.deviceId;
    if (owned !== undefined) {
      const issues: ContractIssue[] = [];
      if (base.seq !== undefined)
        issues.push({ path: 'seq', message: 'assigned by the edge client; omit it' });
      if (base.deviceId !== undefined && base.deviceId !== owned)
        issues.push({
          path: 'deviceId',
          message: `this edge client sends as its configured device ${owned}; omit it`,
        });
      if (issues.length > 0) {
        this.m.rejected++;
        throw new InvalidEventError(issues, many ? index : undefined);
      }
    }
    const filled = {
      schemaVersion: 1,
      ...(base.eventId === undefined && { eventId: newEventId() }),
      ...base,
      ...(owned !== undefined && { deviceId: owned }),
      // A placeholder only when absent (allocated below); a null seq is the contract's to refuse.
      seq: base.seq === undefined ? 0 : base.seq,
    };
    const parsed = parseTelemetryEvent(filled);
    if (!parsed.ok) {
      this.m.rejected++;
      throw new InvalidEventError(parsed.issues, many ? index : undefined);
    }
    // A client that owns its device makes that device's status itself; a gateway (which owns
    // no device) passes its lanes' statuses on like their other events.
    if (parsed.event.type === 'device_status' && owned !== undefined && !this.makingStatus) {
      this.m.rejected++;
      throw new InvalidEventError(
        [{ path: 'type', message: "device_status is the edge client's own report (sendStatus)" }],
        many ? index : undefined,
      );
    }
    const store = this.options.gateway?.storeId;
    if (store !== undefined && namesOtherStore(parsed.event, store)) {
      this.m.rejected++;
      throw new InvalidEventError(
        [{ path: 'storeId', message: `this lane's store gateway serves store ${store}` }],
        many ? index : undefined,
      );
    }
    return {
      event: parsed.event,
      deviceId: parsed.event.deviceId,
      ...(base.seq !== undefined && { seq: parsed.event.seq }),
    };
  }

  metrics(): EdgeClientMetrics {
    const stats = this.spool.stats();
    const oldest = this.spool.oldestAppendedAt;
    return {
      ...this.m,
      ...this.sink.counters(),
      spoolBytes: stats.bytes,
      unsentBytes: stats.unsentBytes,
      oldestEventAgeMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest),
      corruptBytesSkipped: stats.corruptBytesSkipped,
      tornTailBytes: stats.tornTailBytes,
    };
  }

  /** Resolves true once everything spooled so far is acknowledged, false on timeout. */
  async flush(timeoutMs = 30_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.spool.isEmpty) {
      if (Date.now() >= deadline || this.stop.signal.aborted) return false;
      await sleep(20);
    }
    return true;
  }

  /**
   * Stops accepting, tries to deliver what is spooled for up to `flushTimeoutMs`, then stops
   * the sender and closes the spool. Whatever was not delivered stays spooled for next time.
   */
  async close(flushTimeoutMs = 5_000): Promise<{ drained: boolean }> {
    this.closing = true;
    this.closed.abort();
    const drained = await this.flush(flushTimeoutMs);
    this.stop.abort(new Error('edge client closed'));
    await this.sender;
    this.sink.close?.();
    await this.spool.close();
    return { drained };
  }

  private async run(): Promise<void> {
    const signal = this.stop.signal;
    while (!signal.aborted) {
      try {
        const entries = await this.lingered(signal);
        if (entries.length === 0) continue;
        await this.deliver(entries, signal);
        await this.spool.ack((entries[entries.length - 1] as SpoolEntry).next);
        this.m.sent += entries.length;
      } catch (error) {
        if (signal.aborted) break;
        this.noteError(error);
        await sleep(this.options.retryMaxDelayMs, signal).catch(() => undefined);
      }
    }
  }

  /**
   * The next entries to deliver: what the spool holds once its first entry has waited
   * `lingerMs` for company (or the window is half full, or the client is closing). With a
   * size-aware flush the wait is watched append by append and ends early once the sink says
   * the records are best put now.
   */
  private async lingered(signal: AbortSignal): Promise<SpoolEntry[]> {
    let entries = await this.spool.read(this.spool.cursor, WINDOW_BYTES);
    if (entries.length === 0) {
      await this.spool.waitForAppend(1_000, signal);
      return [];
    }
    const deadline = (entries[0] as SpoolEntry).appendedAt + this.options.lingerMs;
    const watch = this.options.sizeAwareFlush && this.sink.readyToCut !== undefined;
    const wake = AbortSignal.any([signal, this.closed.signal]);
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || payloadBytes(entries) >= WINDOW_BYTES / 2 || this.closing) return entries;
      if (watch && this.sink.readyToCut?.(entries, left)) return entries;
      await (watch ? this.spool.waitForAppend(left, wake) : sleep(left, wake)).catch(
        (error: unknown) => {
          if (signal.aborted) throw error;
        },
      );
      entries = await this.spool.read(this.spool.cursor, WINDOW_BYTES);
      if (!watch) return entries;
    }
  }

  /** Sends every entry, retrying what failed until all are acknowledged (or the client closes). */
  private async deliver(entries: readonly SpoolEntry[], signal: AbortSignal): Promise<void> {
    for (const request of await this.sink.plan(entries)) {
      let pending = request;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > 1) {
          this.m.retried += pending.length;
          const delay = backoffDelay(attempt - 1, {
            baseMs: this.options.retryBaseDelayMs,
            capMs: this.options.retryMaxDelayMs,
          });
          await sleep(delay, signal);
        }
        this.m.requests++;
        pending = await this.sink.sendOnce(pending, signal);
      }
    }
  }

  private noteError(error: unknown): void {
    const code = error instanceof Error ? error.name : String(error);
    this.m.lastError = { code, at: new Date().toISOString() };
    this.options.onError?.(error);
  }
}

const payloadBytes = (entries: readonly SpoolEntry[]) =>
  entries.reduce((s, e) => s + e.payload.byteLength, 0);

/**
 * A delivery error's code as a status carries it: the contract's identifier alphabet, at most
 * 64 characters (an SDK's or a proxy's error name may hold spaces or more); undefined if
 * nothing is left. A code, never a message: no free text leaves the PC in a status.
 */
function errorCode(code: string): string | undefined {
  const cleaned = code
    .replace(/[^A-Za-z0-9._:-]+/g, '_')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned === '' ? undefined : cleaned;
}
