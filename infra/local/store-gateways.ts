import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  DAEMON_VERSION,
  EdgeClient,
  type EdgeClientMetrics,
  GATEWAY_LINGER_MS,
  type GatewayListener,
  type GatewayUpstreamOptions,
  listenGateway,
  sha256Hex,
} from '#edge-client';
import type { RecordSigner } from '#wire';
import { gatewayIdOf } from './local-signers.js';

export interface StoreGatewaysOptions {
  /** The lanes, each with its store: one gateway per store, accepting that store's lanes. */
  readonly lanes: readonly { readonly deviceId: string; readonly storeId: string }[];
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** Folder for the gateways' spools (one sub-folder per store). */
  readonly dir: string;
  /** The gateways' linger and size-aware flush (the gateway config's defaults otherwise). */
  readonly lingerMs?: number;
  readonly sizeAwareFlush?: boolean;
  readonly log?: (line: string) => void;
  /** Who a store's gateway signs its records as (local-signers.ts); absent, unsigned. */
  readonly signerOf?: (storeId: string) => RecordSigner;
  /**
   * A store's gateway device (kind `gateway` in the registry), which its own statuses name
   * (sendStatus). @default gatewayIdOf (local-signers.ts)
   */
  readonly deviceIdOf?: (storeId: string) => string;
}

export interface StoreGateways {
  /** The upstream a lane delivers to: its store's gateway, with the lane's own token. */
  upstreamOf(deviceId: string): GatewayUpstreamOptions;
  /** Each store's gateway as a device that sends its own status. */
  readonly devices: readonly { readonly deviceId: string; readonly storeId: string }[];
  /**
   * Spools `storeId`'s gateway's own `device_status` (EdgeClient.sendStatus), as the daemon's
   * gateway mode does (with `onlyNews`, between heartbeats: only if it is news): what the
   * gateway holds unsent, its last error. Resolves whether it was sent.
   */
  sendStatus(storeId: string, options?: { readonly onlyNews?: boolean }): Promise<boolean>;
  /** The gateways' edge clients' metrics, summed over what is counted. */
  metrics(): Pick<EdgeClientMetrics, 'accepted' | 'sent' | 'requests' | 'retried' | 'recordsPut'>;
  /** Resolves true once every gateway's spool is acknowledged by Kinesis (false on timeout). */
  flush(timeoutMs: number): Promise<boolean>;
  /** Stops the listeners, drains each gateway for up to `flushTimeoutMs`, closes the spools. */
  stop(flushTimeoutMs?: number): Promise<{ drained: boolean }>;
}

/**
 * One store gateway per store on loopback, as the daemon's `gateway` mode runs it (a relaying
 * EdgeClient on its own spool, size-aware flush, the LAN listener with lane tokens by hash),
 * for the local simulation and the fleet benchmark. Each lane gets a fresh random token, held
 * in memory for the run only; the gateways know only its SHA-256.
 */
export async function startStoreGateways(options: StoreGatewaysOptions): Promise<StoreGateways> {
  const tokens = new Map(options.lanes.map((l) => [l.deviceId, randomBytes(24).toString('hex')]));
  const byStore = new Map<string, string[]>();
  for (const l of options.lanes)
    byStore.set(l.storeId, [...(byStore.get(l.storeId) ?? []), l.deviceId]);
  const gateways = new Map<string, { client: EdgeClient; listener: GatewayListener }>();
  for (const [storeId, deviceIds] of byStore) {
    const client = await EdgeClient.open({
      streamName: options.streamName,
      kinesis: options.kinesis,
      spool: { dir: join(options.dir, storeId) },
      lingerMs: options.lingerMs ?? GATEWAY_LINGER_MS,
      sizeAwareFlush: options.sizeAwareFlush ?? true,
      ...(options.signerOf !== undefined && { signer: options.signerOf(storeId) }),
    });
    const listener = await listenGateway(client, {
      storeId,
      lanes: deviceIds.map((deviceId) => ({
        deviceId,
        tokenSha256: sha256Hex(tokens.get(deviceId) as string),
      })),
      host: '127.0.0.1',
      port: 0,
      log: options.log ?? (() => undefined),
    });
    gateways.set(storeId, { client, listener });
  }
  const storeOf = new Map(options.lanes.map((l) => [l.deviceId, l.storeId]));
  const deviceIdOf = options.deviceIdOf ?? gatewayIdOf;
  return {
    devices: [...gateways.keys()].map((storeId) => ({ deviceId: deviceIdOf(storeId), storeId })),
    async sendStatus(storeId, options = {}) {
      const gateway = gateways.get(storeId);
      if (gateway === undefined) throw new Error(`no gateway for store ${storeId}`);
      const sent = await gateway.client.sendStatus(
        deviceIdOf(storeId),
        storeId,
        DAEMON_VERSION,
        options,
      );
      return sent !== undefined;
    },
    upstreamOf(deviceId) {
      const storeId = storeOf.get(deviceId) ?? '';
      const gateway = gateways.get(storeId);
      if (gateway === undefined) throw new Error(`no gateway for lane ${deviceId}`);
      return { url: gateway.listener.url, storeId, token: tokens.get(deviceId) as string };
    },
    metrics() {
      const sum = { accepted: 0, sent: 0, requests: 0, retried: 0, recordsPut: 0 };
      for (const { client } of gateways.values()) {
        const m = client.metrics();
        for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += m[k];
      }
      return sum;
    },
    async flush(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (const { client } of gateways.values())
        if (!(await client.flush(Math.max(0, deadline - Date.now())))) return false;
      return true;
    },
    async stop(flushTimeoutMs = 5_000) {
      let drained = true;
      await Promise.all(
        [...gateways.values()].map(async ({ client, listener }) => {
          await new Promise<void>((resolve) => listener.server.close(() => resolve()));
          listener.server.closeAllConnections();
          drained = (await client.close(flushTimeoutMs)).drained && drained;
        }),
      );
      return { drained };
    },
  };
}
