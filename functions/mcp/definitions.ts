/** The definitions resource: every figure the tools answer with, and how it is computed. */
export const DEFINITIONS_URI = 'impact://definitions';

export const DEFINITIONS = `# Store-floor impact: definitions

Figures come from the impact API; each answer names its period (store-local calendar dates,
inclusive) and its currency. Money is in integer cents of that currency.

## Shrink (per store, per store-local day)
- **detections**: likely loss events the vision models flagged, each counted once per
  detectionId, on the store's local date of the detection (the instant inside its ULID).
- **detectionsByCategory**: missed_scan, ticket_switch, walkout, shelf_sweep, basket_under, other.
- **lossDetectedCents**: the sum of the models' estimated loss of those detections.
- **outcomes / outcomesByKind**: the first outcome reported per detection (later ones are
  ignored): recovered, confirmed_loss or false_positive.
- **lossPreventedCents**: money recovered by recovered and confirmed_loss outcomes.
- **confirmedLossCents**: for confirmed_loss outcomes, max(0, estimate - recovered).
- **falsePositiveRate**: false positives / outcomes (null when nothing was resolved).

## Hours saved (per team, per ISO week in UTC; leadership only)
- **incidents / incidentsByResolution**: on-call incidents closed (automated, assisted,
  manual), each counted once per incidentId in the ISO week of its resolvedAt.
- **engineerMinutes**: engineer time the incidents took.
- **minutesSaved**: per incident, max(0, baseline minutes of its class - engineerMinutes);
  baselines are configured per incident class. **hoursSaved** = minutesSaved / 60.
- **automatedShare**: automated incidents / incidents (null when there were none).
- A period's hours saved cover every ISO week overlapping it (the answer says which weeks).

## When loss happens (hour of day)
- Per store-local hour 0..23, summed over the period's days: detections by category, and the
  hour's loss detected and loss prevented (over every category; loss is not split by category).
  A region adds each store's own local hours, from its busiest stores (truncated says when
  some were left out). cost: the items and read units the answer took to read.

## Model quality and lanes
- Per model version (name@version) and category: **detections**; **outcomes** recovered,
  confirmed_loss, false_positive and open (no outcome yet); **falsePositiveRate** =
  false_positive / resolved; **lossPreventedPerDetectionCents** = lossPreventedCents /
  detections. An outcome counts under the version and lane of the detection it resolves.
- **compare**: two versions again over only the stores that ran both (storesWithBoth): the
  like-for-like comparison. versions covers every store read.
- Per lane of a store: the same counts; **flagged** lanes have a false-positive rate far above
  the store's (flagRule says exactly): a camera to re-aim. (other) is what one 15-minute slot
  keeps past 8 versions or 64 lanes, and what one answer lists past its 16 busiest versions
  or 64 busiest lanes.
- Counted from when the pipeline began keeping them in its slots; a store's own totals
  (shrink, impact) cover everything.

## Net impact (the organisation's; leadership only)
- **netImpactCents** = lossPreventedCents + hoursSavedValueCents - pipelineCostCents.
- **hoursSavedValueCents**: hoursSaved x assumptions.loadedHourlyRateCents (a loaded hour).
- **pipelineCostCents**: assumptions.pipelineMonthlyCostCents x days / (365 / 12); costSource
  says whether that monthly figure is the plan's (costSourceDetail names the fleet and run) or
  configured. Quote the assumptions with the figure.

## Comparisons and scope
- **previous**: the same figures for the period of equal length just before.
- A leadership token sees every store and team; a region manager its regions; a store manager
  its stores only, and no team figures. Asking for more is refused (403), never narrowed.

## Exactly once
Every event is counted once however often it is sent, retried or replayed (by device and
sequence number); records that can never count are kept in a dead-letter table with their reason.
`;
