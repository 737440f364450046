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
