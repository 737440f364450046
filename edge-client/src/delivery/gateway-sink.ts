import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { SpoolEntry } from '../spool/disk-spool.js';
import { chunkBySize } from '../utils/chunk-by-size.js';
import type { DeliverySink } from './delivery-sink.js';
import { GATEWAY_LIMITS } from './gateway-limits.js';

/** A lane's upstream: the store gateway it delivers to instead of Kinesis. */
export interface GatewayUpstreamOptions {
  /** The gateway's base URL on the store LAN (`https://` with TLS), e.g. `https://10.0.0.2:8788`. */
  readonly url: string;
  /**
   * The store the gateway serves. The lane refuses at `send` an event for another store
   * (namesOtherStore), which the gateway would refuse for good.
   */
  readonly storeId: string;
  /** The lane's bearer token (the gateway holds only its SHA-256). */
  readonly token: string;
  /** CA certificate(s) the gateway's TLS certificate must chain to; default the system's. */
  readonly ca?: string | Buffer;
  /** Time for one request's answer. @default 10000 */
  readonly timeoutMs?: number;
}

/** The gateway's refusal of a request (or no answer), as the lane's `lastError` shows it. */
export class GatewayDeliveryError extends Error {
  constructor(
    readonly status: number | undefined,
    detail: string,
  ) {
    super(status === undefined ? detail : `gateway answered ${status}: ${detail}`);
    this.name = status === undefined ? 'GatewayUnreachable' : `Gateway${status}`;
  }
}

/**
 * Delivery from a lane PC to its store gateway over HTTP(S): spooled events, as spooled (each
 * already carries the lane's deviceId and seq), in `POST /v1/lane-events` NDJSON requests of
 * at most GATEWAY_LIMITS' events and bytes, with the lane's bearer token. Only a 202 (the
 * gateway's answer once the events are in its own spool, per its fsync mode) releases a
 * request's entries; any other answer, a timeout or a network error sends the whole request
 * again, after the client's backoff, for as long as it takes. No fallback to Kinesis.
 */
export class GatewaySink implements DeliverySink<SpoolEntry> {
  private readonly url: URL;
  private readonly agent: HttpAgent | HttpsAgent;

  constructor(
    private readonly options: GatewayUpstreamOptions,
    private readonly noteError: (error: unknown) => void,
  ) {
    this.url = new URL('/v1/lane-events', options.url);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:')
      throw new RangeError(`gateway URL must be http(s): ${options.url}`);
    this.agent =
      this.url.protocol === 'https:'
        ? new HttpsAgent({
            keepAlive: true,
            maxSockets: 2,
            ...(options.ca !== undefined && { ca: options.ca }),
          })
        : new HttpAgent({ keepAlive: true, maxSockets: 2 });
  }

  async plan(entries: readonly SpoolEntry[]): Promise<SpoolEntry[][]> {
    // Each event is one NDJSON line: its payload and a newline.
    return chunkBySize(entries, (e) => e.payload.byteLength + 1, {
      count: GATEWAY_LIMITS.eventsPerRequest,
      bytes: GATEWAY_LIMITS.bodyBytes,
    });
  }

  counters() {
    return { recordsPut: 0, billedKb: 0 };
  }

  async sendOnce(entries: SpoolEntry[], signal: AbortSignal): Promise<SpoolEntry[]> {
    const body = Buffer.concat(entries.flatMap((e) => [e.payload, NEWLINE]));
    try {
      const { status, text } = await this.post(body, signal);
      if (status === 202) return [];
      this.noteError(new GatewayDeliveryError(status, detailOf(text)));
    } catch (error) {
      if (signal.aborted) throw error;
      this.noteError(new GatewayDeliveryError(undefined, (error as Error).message));
    }
    return entries;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private post(body: Buffer, signal: AbortSignal): Promise<{ status: number; text: string }> {
    const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          signal,
          timeout: this.options.timeoutMs ?? 10_000,
          headers: {
            authorization: `Bearer ${this.options.token}`,
            'content-type': 'application/x-ndjson',
            'content-length': body.byteLength,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            // An answer is a short problem document; keep no more than 16 KB of one.
            size += c.byteLength;
            if (size <= 16_384) chunks.push(c);
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer from the gateway in time')));
      req.on('error', reject);
      req.end(body);
    });
  }
}

const NEWLINE = Buffer.from('\n');

function detailOf(text: string): string {
  try {
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    return String(problem.detail ?? problem.title ?? text).slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}
