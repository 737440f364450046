/**
 * What the pipeline is worth over a period: loss prevented + hours saved x a loaded hourly
 * rate - the pipeline's own running cost, pro-rated. Pure arithmetic, so every assumption is
 * an input and can be shown beside the answer (GET /v1/net-impact shows them all).
 */
export interface NetImpactInputs {
  readonly lossPreventedCents: number;
  readonly hoursSaved: number;
  /** A stage setting, e.g. 5,000 ($50 an hour). */
  readonly loadedHourlyRateCents: number;
  /** The fleet's monthly running cost, from the plan or configured. */
  readonly pipelineMonthlyCostCents: number;
  /** Days in the period. */
  readonly days: number;
  /** The scope's share of registered stores, 0..1 (1 for the organisation). */
  readonly storeShare: number;
}

export interface NetImpact {
  readonly lossPreventedCents: number;
  readonly hoursSavedValueCents: number;
  readonly pipelineCostCents: number;
  readonly netImpactCents: number;
}

/** A month is an average month, 365 / 12 days, so twelve months pro-rate to a year. */
export const DAYS_PER_MONTH = 365 / 12;

export function netImpact(inputs: NetImpactInputs): NetImpact {
  const { days, storeShare, loadedHourlyRateCents, pipelineMonthlyCostCents } = inputs;
  if (!(days > 0)) throw new RangeError('a period has at least one day');
  if (!(storeShare >= 0 && storeShare <= 1)) throw new RangeError('a share is from 0 to 1');
  if (loadedHourlyRateCents < 0 || pipelineMonthlyCostCents < 0 || inputs.hoursSaved < 0) {
    throw new RangeError('rates, costs and hours are not negative');
  }
  const hoursSavedValueCents = Math.round(inputs.hoursSaved * loadedHourlyRateCents);
  const pipelineCostCents = Math.round(
    (pipelineMonthlyCostCents * days * storeShare) / DAYS_PER_MONTH,
  );
  return {
    lossPreventedCents: inputs.lossPreventedCents,
    hoursSavedValueCents,
    pipelineCostCents,
    netImpactCents: inputs.lossPreventedCents + hoursSavedValueCents - pipelineCostCents,
  };
}
