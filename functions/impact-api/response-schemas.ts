import * as z from 'zod';

/**
 * The impact API's answers, as zod schemas: the handlers' return types are inferred from them
 * and the OpenAPI document is generated from them, so the two cannot drift apart.
 */
const Cents = z.number().int().min(0).meta({ description: 'Integer cents of `currency`' });
const Rate = z.number().min(0).max(1).nullable();
const Period = z.object({ from: z.string(), to: z.string() });

export const ShrinkFigures = z.object({
  detections: z.number().int(),
  detectionsByCategory: z.record(z.string(), z.number().int()),
  lossDetectedCents: Cents,
  lossPreventedCents: Cents,
  confirmedLossCents: Cents,
  outcomes: z.number().int(),
  outcomesByKind: z.record(z.string(), z.number().int()),
  falsePositives: z.number().int(),
  falsePositiveRate: Rate.meta({
    description: 'False positives / resolved detections; null when none were resolved',
  }),
});

export const HoursSavedFigures = z.object({
  incidents: z.number().int(),
  incidentsByResolution: z.record(z.string(), z.number().int()),
  engineerMinutes: z.number().int(),
  minutesSaved: z.number().int(),
  hoursSaved: z.number(),
  automatedShare: Rate,
});

const Scope = z.object({
  role: z.enum(['leadership', 'region_manager', 'store_manager']),
  stores: z.array(z.string()).optional(),
  regions: z.array(z.string()).optional(),
});

const HoursWithWeeks = HoursSavedFigures.extend({
  weeks: Period.meta({ description: 'ISO weeks covered' }),
}).nullable();

/** What a figure over many stores covers (fleet health), as of now. */
export const ScopeCoverage = z
  .object({
    asOf: z.string(),
    stores: z.number().int().meta({
      description:
        'Stores registered with their lane count, or whose daemons have reported at least once (test stores never count)',
    }),
    storesReporting: z
      .number()
      .int()
      .meta({ description: 'Of them, stores heard from in the last 30 minutes' }),
    storesWithGaps: z
      .number()
      .int()
      .meta({ description: 'Stores with a lane not reporting, or silent altogether' }),
    lanesRegistered: z.number().int().meta({
      description:
        "Lanes registered over the stores (a store registered without a lane count adds the lanes it has had): the denominator of 'lanes reporting'",
    }),
    lanesReporting: z
      .number()
      .int()
      .meta({ description: 'Lanes heard from in the last 25 minutes' }),
    storesWithoutLaneCount: z.number().int().meta({
      description: 'Stores registered without a lane count: their known lanes stand in for it',
    }),
    devicesKnown: z.number().int(),
    devicesReporting: z.number().int(),
    completeThrough: z.string().optional().meta({
      description:
        'The earliest complete-through of the reporting stores: figures up to it change only by late events of silent devices',
    }),
    gapDays: z.array(z.object({ date: z.string(), stores: z.number().int() })).meta({
      description:
        "Days of the period on which stores' figures miss a lane's events (a daemon down for 15 minutes or more of the open hours, or a lane or store silent now), with how many stores",
    }),
  })
  .meta({ id: 'ScopeCoverage' });

/** Lanes: a store's panel PCs (its gateway is no lane). */
const LaneCoverage = z
  .object({
    registered: z.number().int().optional().meta({
      description: 'Lanes registered for the store; absent when registered without a lane count',
    }),
    known: z.number().int().meta({ description: 'Lanes heard from at least once' }),
    reporting: z.number().int().meta({ description: 'Lanes heard from in the last 25 minutes' }),
    missing: z.number().int().meta({ description: 'Registered (else known) lanes not reporting' }),
  })
  .meta({ id: 'LaneCoverage' });

const StoreGapDays = z.array(z.string()).meta({
  description:
    "Store-local days whose figures miss a lane's events: a daemon not running for 15 minutes or more of the open hours, or a lane silent now",
});

export const ImpactResponse = z
  .object({
    period: Period,
    region: z.string().nullable(),
    scope: Scope,
    currency: z.string(),
    shrink: ShrinkFigures,
    hoursSaved: HoursWithWeeks.meta({
      description: 'Organisation-wide; leadership only (null otherwise)',
    }),
    series: z
      .object({
        days: z.array(
          ShrinkFigures.extend({ period: z.string().meta({ description: 'YYYY-MM-DD' }) }),
        ),
        weeks: z
          .array(HoursSavedFigures.extend({ period: z.string().meta({ description: 'YYYY-Www' }) }))
          .nullable(),
      })
      .meta({
        description:
          'The period day by day (every date, zero where nothing happened), and hours saved by ISO week (leadership only, null otherwise)',
      }),
    previous: z.object({ period: Period, shrink: ShrinkFigures, hoursSaved: HoursWithWeeks }).meta({
      description: 'The same figures for the period of equal length just before',
    }),
    coverage: ScopeCoverage.meta({
      description: "How complete the scope's store figures are, from its daemons' own statuses",
    }),
  })
  .meta({ id: 'ImpactResponse' });

/** How complete a store's figures are, from its devices' own statuses (fleet health). */
export const StoreCoverage = z
  .object({
    asOf: z.string(),
    devicesReporting: z
      .number()
      .int()
      .meta({ description: 'Devices heard from in the last 25 minutes' }),
    devicesKnown: z
      .number()
      .int()
      .meta({ description: 'Devices that have reported at least once' }),
    silent: z.array(z.object({ deviceId: z.string(), lastSeenAt: z.string() })),
    lanes: LaneCoverage,
    gapDays: StoreGapDays.meta({ description: 'Of the period' }),
    completeThrough: z.string().optional().meta({
      description:
        'Figures up to this instant change only by late events of silent devices; absent when no device reports',
    }),
  })
  .meta({ id: 'StoreCoverage' });

export const StoreShrinkResponse = z
  .object({
    storeId: z.string(),
    region: z.string(),
    timeZone: z.string(),
    period: Period,
    granularity: z.enum(['day', 'week', 'month']),
    currency: z.string(),
    total: ShrinkFigures,
    series: z.array(
      ShrinkFigures.extend({
        period: z.string().meta({ description: 'YYYY-MM-DD, YYYY-Www or YYYY-MM' }),
      }),
    ),
    coverage: StoreCoverage.optional().meta({
      description:
        "The store's devices as of now (absent until one of its daemons has sent a status)",
    }),
  })
  .meta({ id: 'StoreShrinkResponse' });

export const LeaderboardEntry = ShrinkFigures.omit({
  detectionsByCategory: true,
  outcomesByKind: true,
}).extend({
  rank: z.number().int().min(1),
  storeId: z.string(),
  coverage: z
    .object({
      lanesReporting: z.number().int(),
      lanesRegistered: z.number().int().meta({
        description: 'Registered lanes (the lanes it has had, without a registered count)',
      }),
      gapDays: z.number().int().meta({ description: 'Days of the period with a gap' }),
      completeThrough: z.string().optional(),
    })
    .nullable()
    .meta({
      description:
        "How complete the store's figures are, as of now (null until its daemons have reported or it is registered with its lanes)",
    }),
});

export const LeaderboardResponse = z
  .object({
    period: Period,
    region: z.string().nullable(),
    sort: z.string(),
    order: z.enum(['asc', 'desc']),
    currency: z.string(),
    stores: z.array(LeaderboardEntry),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'LeaderboardResponse' });

export const TeamsResponse = z
  .object({
    period: Period,
    weeks: Period,
    teams: z.array(HoursSavedFigures.extend({ teamId: z.string() })),
  })
  .meta({ id: 'TeamsResponse' });

export const TeamHoursResponse = z
  .object({
    teamId: z.string(),
    period: Period,
    weeks: Period,
    granularity: z.enum(['week', 'month']),
    total: HoursSavedFigures,
    series: z.array(HoursSavedFigures.extend({ period: z.string() })),
  })
  .meta({ id: 'TeamHoursResponse' });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ name: z.string(), reason: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

export type ImpactResponse = z.infer<typeof ImpactResponse>;
export type StoreShrinkResponse = z.infer<typeof StoreShrinkResponse>;
export type LeaderboardResponse = z.infer<typeof LeaderboardResponse>;
export type TeamsResponse = z.infer<typeof TeamsResponse>;
export type TeamHoursResponse = z.infer<typeof TeamHoursResponse>;

const StoreHealth = z
  .object({
    storeId: z.string(),
    region: z.string(),
    lanes: LaneCoverage,
    gapDays: StoreGapDays,
    reporting: z
      .number()
      .int()
      .meta({ description: 'Devices (lanes and the gateway) heard from in the last 25 minutes' }),
    known: z.number().int().meta({ description: 'Devices that have reported at least once' }),
    silent: z
      .array(z.object({ deviceId: z.string(), lastSeenAt: z.string() }))
      .meta({ description: 'Devices not heard from for 25 minutes, longest silent first' }),
    backlogAgeSeconds: z.number().int().meta({
      description: 'Age of the oldest unsent event of a reporting device, at its last status',
    }),
    backlogBytes: z.number().int(),
    maxClockOffsetMs: z.number().int().meta({
      description:
        "The worst device clock against the stream's (ms; positive: ahead). Events more than 15 minutes ahead are refused",
    }),
    daemonVersions: z.record(z.string(), z.number().int()),
    models: z.array(z.string()).meta({ description: 'name@version of the models its devices run' }),
    errors: z.array(z.object({ deviceId: z.string(), code: z.string(), at: z.string() })),
    completeThrough: z.string().optional().meta({
      description:
        "Every reporting device had delivered what it accepted before this instant: the store's figures up to it change only by late events of silent devices",
    }),
    attention: z.boolean(),
  })
  .meta({ id: 'StoreHealth' });

export const FleetHealthResponse = z
  .object({
    asOf: z.string(),
    scope: Scope.extend({
      role: z.enum(['leadership', 'region_manager', 'store_manager', 'operator']),
    }),
    summary: z.object({
      stores: z.number().int().meta({ description: 'Stores with a fleet health item in scope' }),
      storesNeedingAttention: z.number().int(),
      devicesReporting: z.number().int(),
      devicesKnown: z.number().int(),
      devicesSilent: z.number().int(),
      lanesReporting: z.number().int(),
      lanesMissing: z
        .number()
        .int()
        .meta({ description: 'Registered (else known) lanes not reporting' }),
      maxBacklogAgeSeconds: z.number().int(),
      backlogBytes: z.number().int(),
      maxClockOffsetMs: z.number().int(),
      daemonVersions: z.record(z.string(), z.number().int()),
      completeThrough: z.string().optional().meta({
        description: 'The earliest completeThrough of the stores in scope',
      }),
    }),
    stores: z.array(StoreHealth).meta({
      description:
        'Worst first: most lanes missing, most silent devices, oldest backlog, worst clock',
    }),
    truncated: z.boolean().meta({
      description: 'More stores matched than `limit`, or than one answer reads (5,000 per region)',
    }),
  })
  .meta({ id: 'FleetHealthResponse' });
export type FleetHealthResponse = z.infer<typeof FleetHealthResponse>;

const ReadCost = z
  .object({
    itemsRead: z.number().int(),
    readUnits: z.number(),
    queries: z.number().int(),
  })
  .meta({
    description:
      'What this answer cost to read, as DynamoDB reported it (ReturnConsumedCapacity TOTAL, eventually consistent reads)',
  });

export const HourOfDayResponse = z
  .object({
    period: Period,
    storeId: z.string().nullable().meta({ description: 'The store asked for, or null' }),
    region: z.string().meta({ description: "The region asked for, or the store's region" }),
    timeZone: z.string().nullable().meta({
      description: "The store's time zone; null for a region (each store's own local hours)",
    }),
    currency: z.string(),
    categories: z.array(z.string()).meta({ description: 'Detection categories, in column order' }),
    hours: z
      .array(
        z.object({
          hour: z.number().int().min(0).max(23).meta({ description: 'Store-local hour' }),
          detections: z.number().int(),
          detectionsByCategory: z.record(z.string(), z.number().int()),
          lossDetectedCents: Cents.meta({ description: "The hour's, over every category" }),
          lossPreventedCents: Cents.meta({ description: "The hour's, over every category" }),
        }),
      )
      .length(24),
    stores: z.array(z.string()).meta({ description: 'The stores whose slots were read' }),
    truncated: z.boolean().meta({
      description:
        "A region with more active stores than one answer reads: only its busiest (by the period's detections) are in",
    }),
    storesActive: z.number().int().meta({
      description: 'Stores with a detection in the period (for a store: 1 or 0)',
    }),
    cost: ReadCost,
  })
  .meta({ id: 'HourOfDayResponse' });
export type HourOfDayResponse = z.infer<typeof HourOfDayResponse>;
export const RegionsResponse = z
  .object({
    role: z.enum(['leadership', 'region_manager', 'store_manager']),
    all: z.boolean().meta({
      description:
        'true when the token covers every region (leadership): a client may offer "All regions"',
    }),
    regions: z
      .array(
        z.object({
          region: z.string(),
          stores: z.number().int().min(0).meta({
            description:
              "Stores of the region in the token's scope (a store manager: only its own stores)",
          }),
        }),
      )
      .meta({ description: 'Sorted by name, at most 500' }),
    truncated: z.boolean().meta({ description: 'true when more than 500 regions were found' }),
  })
  .meta({ id: 'RegionsResponse' });
export type RegionsResponse = z.infer<typeof RegionsResponse>;

const SignedCents = z
  .number()
  .int()
  .meta({ description: 'Integer cents of `currency`, may be negative' });

export const NetImpactResponse = z
  .object({
    period: Period,
    scope: z.object({
      role: z.literal('leadership'),
      level: z.literal('organisation').meta({
        description:
          "Net impact is the organisation's: hours saved are counted per team, not per region",
      }),
    }),
    currency: z.string(),
    lossPreventedCents: Cents,
    hoursSaved: z
      .number()
      .min(0)
      .meta({ description: 'Hours saved in the ISO weeks the period touches' }),
    hoursSavedValueCents: Cents.meta({
      description: 'hoursSaved x loadedHourlyRateCents, rounded',
    }),
    pipelineCostCents: Cents.meta({ description: 'The running cost pro-rated to the period' }),
    netImpactCents: SignedCents.meta({
      description: 'lossPreventedCents + hoursSavedValueCents - pipelineCostCents',
    }),
    assumptions: z.object({
      loadedHourlyRateCents: Cents,
      pipelineMonthlyCostCents: Cents,
      costSource: z.enum(['plan', 'configured']),
      costSourceDetail: z
        .string()
        .meta({ description: 'e.g. "plan: <fleet and run>" or "configured"' }),
      hoursSavedWeeks: z.object({ from: z.string(), to: z.string() }),
      proration: z.string(),
    }),
  })
  .meta({ id: 'NetImpactResponse' });
export type NetImpactResponse = z.infer<typeof NetImpactResponse>;

const OutcomeCounts = z.object({
  recovered: z.number().int(),
  confirmed_loss: z.number().int(),
  false_positive: z.number().int(),
  open: z.number().int().meta({ description: 'Detections with no outcome yet' }),
});

const QualityFigures = z.object({
  detections: z.number().int(),
  outcomes: OutcomeCounts,
  falsePositiveRate: z.number().nullable().meta({
    description: 'false_positive / resolved outcomes; null when none resolved',
  }),
  lossPreventedCents: Cents,
  lossPreventedPerDetectionCents: z.number().nullable(),
});

const ModelVersion = z.object({ model: z.string(), version: z.string() }).meta({
  description:
    'A detection model version; `(other)` for both is the versions past the 8 one slot keeps apart, and past the 16 busiest one answer lists',
});

const VersionQuality = ModelVersion.extend({
  total: QualityFigures,
  categories: z
    .array(QualityFigures.extend({ category: z.string() }))
    .meta({ description: 'Every detection category, in contract order' }),
});

export const ModelQualityResponse = z
  .object({
    period: Period,
    storeId: z.string().nullable().meta({ description: 'The store asked for, or null' }),
    region: z.string().meta({ description: "The region asked for, or the store's region" }),
    currency: z.string(),
    versions: z.array(VersionQuality).meta({
      description:
        'The versions the stores read ran, most detections first: the 16 busiest, the rest in `(other)`, last',
    }),
    compare: z
      .object({
        a: VersionQuality,
        b: VersionQuality,
        storesWithBoth: z.array(z.string()).meta({
          description:
            'The stores in the answer that ran both versions in the period; a and b are over these only',
        }),
      })
      .nullable(),
    stores: z.array(z.string()).meta({ description: 'The stores whose slots were read' }),
    truncated: z.boolean(),
    storesActive: z.number().int(),
    cost: ReadCost,
  })
  .meta({ id: 'ModelQualityResponse' });
export type ModelQualityResponse = z.infer<typeof ModelQualityResponse>;

export const StoreLanesResponse = z
  .object({
    period: Period,
    storeId: z.string(),
    region: z.string(),
    currency: z.string(),
    store: z.object({ detections: z.number().int(), falsePositiveRate: z.number().nullable() }),
    lanes: z.array(
      z.object({
        laneId: z.string().meta({
          description:
            '`(other)` is the lanes past the 64 one slot keeps apart, and past the 64 busiest one answer lists',
        }),
        detections: z.number().int(),
        outcomes: OutcomeCounts,
        falsePositiveRate: z.number().nullable(),
        flagged: z.boolean(),
      }),
    ),
    flagRule: z.string(),
    cost: ReadCost,
  })
  .meta({ id: 'StoreLanesResponse' });
export type StoreLanesResponse = z.infer<typeof StoreLanesResponse>;
