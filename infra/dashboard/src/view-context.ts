import type { Claims } from './auth.js';

/** What every view renders from: who is looking and which period and region. */
export interface ViewContext {
  readonly claims: Claims;
  readonly from: string;
  readonly to: string;
  /** Empty for all the caller's regions. */
  readonly region: string;
}

export const regionQuery = (ctx: ViewContext) =>
  ctx.claims.role === 'store_manager' || ctx.region === '' ? undefined : ctx.region;

/**
 * The one region a region-wide view shows: the chosen region, else a region manager's first;
 * undefined for leadership with none chosen (it picks one in the filter).
 */
export const oneRegion = (ctx: ViewContext): string | undefined =>
  ctx.region !== ''
    ? ctx.region
    : ctx.claims.role === 'region_manager'
      ? ctx.claims.regions[0]
      : undefined;
