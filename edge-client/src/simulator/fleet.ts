import { between, seededRandom } from './random.js';

export interface SimStore {
  readonly storeId: string;
  readonly region: string;
  readonly timeZone: string;
  readonly lanes: readonly string[];
}

export interface SimFleet {
  readonly stores: readonly SimStore[];
  /** Panel PCs, one per lane: `deviceId` bound to `storeId`. */
  readonly panels: readonly {
    readonly deviceId: string;
    readonly storeId: string;
    readonly laneId: string;
  }[];
  /** On-call automation agents, one per team. */
  readonly agents: readonly { readonly deviceId: string; readonly teamId: string }[];
}

const REGIONS = [
  { region: 'us-east', timeZone: 'America/New_York' },
  { region: 'us-central', timeZone: 'America/Chicago' },
  { region: 'us-west', timeZone: 'America/Los_Angeles' },
  { region: 'uk', timeZone: 'Europe/London' },
  { region: 'de', timeZone: 'Europe/Berlin' },
] as const;

export const TEAMS = ['team-pos', 'team-vision', 'team-network', 'team-store-systems'] as const;

/** A deterministic fleet: the same arguments give the same stores, lanes and devices. */
export function defineFleet(options: {
  stores: number;
  lanesPerStore?: number;
  seed?: number;
}): SimFleet {
  const random = seededRandom(options.seed ?? 1);
  const stores: SimStore[] = [];
  for (let i = 1; i <= options.stores; i++) {
    const storeId = `store-${String(i).padStart(4, '0')}`;
    const place = REGIONS[(i - 1) % REGIONS.length] as (typeof REGIONS)[number];
    const laneCount = options.lanesPerStore ?? between(random, 4, 12);
    const lanes = Array.from(
      { length: laneCount },
      (_, l) => `lane-${String(l + 1).padStart(2, '0')}`,
    );
    stores.push({ storeId, region: place.region, timeZone: place.timeZone, lanes });
  }
  return {
    stores,
    panels: stores.flatMap((s) =>
      s.lanes.map((laneId) => ({
        deviceId: `panel-${s.storeId}-${laneId}`,
        storeId: s.storeId,
        laneId,
      })),
    ),
    agents: TEAMS.map((teamId) => ({ deviceId: `agent-${teamId}`, teamId })),
  };
}
