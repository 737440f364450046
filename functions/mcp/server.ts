import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import {
  DeadLetterIdQuery,
  DeadLetterListQuery,
  DeadLetterListResponse,
  DeadLetterResponse,
  FleetHealthQuery,
  FleetHealthResponse,
  HourOfDayQuery,
  HourOfDayResponse,
  ImpactQuery,
  ImpactResponse,
  LeaderboardQuery,
  LeaderboardResponse,
  MAX_DEAD_LETTER_DAYS,
  MAX_REPLAY_LETTERS,
  ModelQualityResponse,
  NetImpactResponse,
  NoQuery,
  PeriodQuery,
  PipelineStatusResponse,
  ReplayRequest,
  ReplayResponse,
  StoreLanesQuery,
  StoreLanesResponse,
  StorePath,
  StoreShrinkQuery,
  StoreShrinkResponse,
  TeamHoursQuery,
  TeamHoursResponse,
  TeamPath,
  TeamsResponse,
} from '#api-schemas';
import { Identifier, OncallIncidentReport, SENDER_FIELDS } from '#contract';
import { replayIncident, TOOLKIT_ENGINEER_MINUTES } from '#domain/toolkit-incident';
import { DEFINITIONS, DEFINITIONS_URI } from './definitions.js';
import { type ImpactApiClient, ImpactApiError } from './impact-client.js';

/** What a `report_incident` call hands over, after the contract accepted it. */
export interface ReportedIncident {
  readonly eventId: string;
  readonly deviceId: string;
  readonly seq: number;
}

/**
 * What the server offers is what it is given: the reading tools with an API client, the ops
 * tools with an ops API client, the reporting tool with a reporter. The transport decides from
 * the caller (at `/mcp`: a reader's token gets the reading tools, an operator's only the ops
 * tools, an automation's only `report_incident`).
 */
export interface ImpactMcpOptions {
  /**
   * The public impact API, with the caller's token: the server sees what the caller may.
   * Absent, the reading tools are not offered.
   */
  readonly api?: ImpactApiClient;
  /**
   * The same API for the ops routes (`/v1/ops/*`), with an operator's token. Absent, the ops
   * tools (`list_dead_letters`, `explain_dead_letter`, `replay_dead_letters`,
   * `get_pipeline_status`, `get_fleet_health`) are not offered.
   */
  readonly opsApi?: ImpactApiClient;
  /** The dashboard's address, for links to the matching view. */
  readonly dashboardUrl: string;
  /**
   * Sends a closed incident through the edge client, as the caller's device; absent, the tool
   * is not offered. It may throw to refuse (e.g. a write limit): the tool answers the error.
   */
  readonly reportIncident?: (report: OncallIncidentReport) => Promise<ReportedIncident>;
}

/** Units of the figures, so an assistant never has to guess what a number means. */
const UNITS = {
  '*Cents': 'integer cents of `currency`',
  falsePositiveRate: 'share, 0..1',
  automatedShare: 'share, 0..1',
  hoursSaved: 'hours',
  minutesSaved: 'minutes',
  engineerMinutes: 'minutes',
  period: 'store-local calendar dates (YYYY-MM-DD), inclusive; weeks are ISO weeks in UTC',
};
const Links = { dashboardUrl: z.string(), units: z.record(z.string(), z.string()) };

/** A tool's error as MCP wants it: a result the model can read, not a transport failure. */
function failure(error: unknown): CallToolResult {
  const text =
    error instanceof ImpactApiError
      ? error.status === 403
        ? `Refused (403): ${error.detail ?? error.title}. This token's role does not cover it.`
        : `The impact API answered ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return { isError: true, content: [{ type: 'text', text }] };
}

function answer(structured: Record<string, unknown>): CallToolResult {
  return {
    structuredContent: structured,
    content: [{ type: 'text', text: JSON.stringify(structured) }],
  };
}

/**
 * The impact API as Model Context Protocol tools, for leaders' assistants, and the door
 * through which on-call automations report the incidents whose hours saved we count. Tool
 * inputs and outputs are the API's own zod schemas; every answer carries its period, the
 * units and a link to the matching dashboard view.
 */
export function createImpactMcpServer(options: ImpactMcpOptions): McpServer {
  const server = new McpServer(
    { name: 'store-floor-impact', version: '1.0.0' },
    {
      instructions:
        'Shrink prevented and staff hours saved, from the store-floor impact API. Read impact://definitions for what each figure means. Money is in integer cents.',
    },
  );

  server.registerResource(
    'definitions',
    DEFINITIONS_URI,
    {
      title: 'Metric definitions',
      description: 'Every figure the tools answer with, and how it is computed',
      mimeType: 'text/markdown',
    },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/markdown', text: DEFINITIONS }],
    }),
  );

  if (options.api !== undefined) registerReadingTools(server, options.api, options.dashboardUrl);
  if (options.opsApi !== undefined) {
    for (const tool of OPS_TOOLS) {
      registerOpsTool(server, options.opsApi, tool, options.reportIncident);
    }
  }
  if (options.reportIncident !== undefined) registerReportTool(server, options.reportIncident);
  return server;
}

/**
 * A read-only tool over one API route: its query schema in, its response schema out. The
 * `{name}` segments of `path` and `view` are filled from the arguments (URI-encoded; they are
 * not sent again as query parameters); the rest of the arguments are the query. The
 * dashboard link carries the query's period and region.
 */
interface ReadingTool {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly input: z.ZodObject;
  readonly output: z.ZodObject;
  /** The API route's path, `{name}` segments filled from the arguments. */
  readonly path: string;
  /** The matching dashboard view (its `#/` route), filled the same way. */
  readonly view: string;
}

/** The read-only tools, one per API route. */
const READING_TOOLS: readonly ReadingTool[] = [
  {
    name: 'get_impact',
    title: 'Impact for a period',
    description:
      'Loss detected, prevented and confirmed, false-positive rate, detections by category and (leadership only) hours saved for a period, with the period before it and day-by-day series. Optional region.',
    input: ImpactQuery,
    output: ImpactResponse,
    path: '/v1/impact',
    view: 'overview',
  },
  {
    name: 'get_store_shrink',
    title: "A store's shrink series",
    description: "One store's shrink figures by day, week or month over a period.",
    input: StorePath.extend(StoreShrinkQuery.shape),
    output: StoreShrinkResponse,
    path: '/v1/stores/{storeId}/shrink',
    view: 'stores/{storeId}',
  },
  {
    name: 'get_store_leaderboard',
    title: 'Store leaderboard',
    description:
      'Stores ranked by loss prevented, loss detected or false-positive rate over a period; page with nextCursor.',
    input: LeaderboardQuery,
    output: LeaderboardResponse,
    path: '/v1/stores',
    view: 'stores',
  },
  {
    name: 'get_hours_saved_by_team',
    title: 'Hours saved by team',
    description:
      'Staff hours saved by on-call automation, per team, over a period (leadership only).',
    input: PeriodQuery,
    output: TeamsResponse,
    path: '/v1/teams',
    view: 'teams',
  },
  {
    name: 'get_team_hours_saved',
    title: "A team's hours saved by week or month",
    description: "One team's hours saved series (leadership only).",
    input: TeamPath.extend(TeamHoursQuery.shape),
    output: TeamHoursResponse,
    path: '/v1/teams/{teamId}/hours-saved',
    view: 'teams',
  },
  {
    name: 'get_hour_of_day',
    title: 'When loss happens, by hour of day',
    description:
      'Detections by category, loss detected and loss prevented per store-local hour (0..23) over at most 31 days, for one storeId or one region (its busiest stores; truncated says when some were left out), with what the answer cost to read.',
    input: HourOfDayQuery,
    output: HourOfDayResponse,
    path: '/v1/hour-of-day',
    view: 'hour-of-day',
  },
  {
    name: 'get_model_quality',
    title: 'Model quality by version',
    description:
      'Per detection model version and category, over at most 31 days, for one storeId or one region (its busiest stores): detections, the outcome mix (recovered, confirmed_loss, false_positive, open), the false-positive rate and loss prevented per detection. With compare (name@version,name@version) the two versions again over only the stores that ran both: the like-for-like answer to "did 4.2 reduce false positives against 4.1".',
    input: z.object({
      ...HourOfDayQuery.shape,
      compare: z.string().max(260).optional().meta({
        description:
          'Two model versions to set side by side, name@version,name@version (e.g. shrink-vision@4.1.0,shrink-vision@4.2.1)',
      }),
    }),
    output: ModelQualityResponse,
    path: '/v1/model-quality',
    view: 'models',
  },
  {
    name: 'get_store_lanes',
    title: "A store's lanes",
    description:
      "Per lane of one store, over at most 31 days: detections, the outcome mix and the false-positive rate, each lane flagged when its rate is far above the store's (flagRule says how far): a camera to re-aim.",
    input: StorePath.extend(StoreLanesQuery.shape),
    output: StoreLanesResponse,
    path: '/v1/stores/{storeId}/lanes',
    view: 'stores/{storeId}',
  },
  {
    name: 'get_net_impact',
    title: 'Net impact for a period',
    description:
      "What the pipeline is worth to the organisation over a period (leadership only): loss prevented + hours saved x a loaded hourly rate - the pipeline's running cost pro-rated by days, with every assumption (the rate, the monthly cost and whether it is the plan's or configured).",
    input: PeriodQuery,
    output: NetImpactResponse,
    path: '/v1/net-impact',
    view: 'overview',
  },
];

type ToolArgs = Record<string, string | number | undefined>;

/** The read-only tools, one per API route, answering with the caller's token. */
function registerReadingTools(server: McpServer, api: ImpactApiClient, dashboardUrl: string) {
  for (const tool of READING_TOOLS) registerReadingTool(server, api, dashboardUrl, tool);
}

/** One reading tool: the route's answer, with a link to the matching view and the units. */
function registerReadingTool(
  server: McpServer,
  api: ImpactApiClient,
  dashboardUrl: string,
  tool: ReadingTool,
) {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: tool.output.extend(Links),
      annotations: { readOnlyHint: true },
    },
    (async (args: ToolArgs) => {
      try {
        const { path, view, query } = fillTemplates(tool, args);
        const { from, to, region } = args as Record<string, string | undefined>;
        const link = dashboardLink(dashboardUrl, view, { from, to, region });
        const body = await api.get<Record<string, unknown>>(path, query);
        return answer({ ...body, dashboardUrl: link, units: UNITS });
      } catch (error) {
        return failure(error);
      }
    }) as never,
  );
}

/** What a dead letter is, for the ops tools' descriptions. */
const DEAD_LETTERS =
  "Dead letters are the records the pipeline can never count (an unregistered device or store, a bad or missing signature, a clock too far ahead, a record that is not of the telemetry contract, ...), kept in a table with their reason, the stream position of the record and the contract's field issues (field paths, never values). No payload is ever stored: the position finds the record in the stream while it is retained.";

/** An ops tool: one ops route, its answer as it is (no dashboard view, no figures' units). */
interface OpsTool extends Omit<ReadingTool, 'view'> {
  readonly annotations: {
    readonly readOnlyHint: boolean;
    readonly destructiveHint?: boolean;
    readonly idempotentHint?: boolean;
  };
  /**
   * A POST route's JSON body from the arguments (as its input schema admitted them, lists too);
   * absent, a GET with the arguments as the query.
   */
  readonly body?: (args: Record<string, unknown>) => unknown;
  /** What to do with the route's answer before the tool answers it (the replay's report). */
  readonly after?: (
    args: Record<string, unknown>,
    answer: Record<string, unknown>,
    report: ImpactMcpOptions['reportIncident'],
  ) => Promise<Record<string, unknown>>;
}

/** What `replay_dead_letters` takes to report the incident a confirmed replay resolved. */
const ReportReplay = z
  .object({
    teamId: Identifier.meta({ description: 'The team on call for the pipeline' }),
    engineerMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(TOOLKIT_ENGINEER_MINUTES)
      .meta({ description: 'Minutes the operator spent on it' }),
  })
  .strict();

/**
 * After a confirmed replay: reports the incident it resolved (the letters it counted) as an
 * `assisted` `dead_letter_replay` of the team, through this server's edge client, with the id
 * the CLI gives the same replay (so reporting it twice, or from both, counts once).
 */
async function reportReplayed(
  args: Record<string, unknown>,
  answer: Record<string, unknown>,
  report: ImpactMcpOptions['reportIncident'],
): Promise<Record<string, unknown>> {
  const wanted = args.reportIncident as z.infer<typeof ReportReplay> | undefined;
  if (wanted === undefined || answer.dryRun !== false) return answer;
  const notes = [...((answer.notes as string[] | undefined) ?? [])];
  if (report === undefined) {
    notes.push(
      'The incident was not reported: this server has no edge client (MCP_EDGE_CONFIG); report it with npm run dead-letters -- replay --report-incident.',
    );
    return { ...answer, notes };
  }
  const incident = replayIncident(
    answer.results as { id: string; outcome: string; deadLetteredAt?: string }[],
    { ...wanted, now: new Date() },
  );
  if (incident === undefined) {
    notes.push('No incident reported: the replay counted no letter.');
    return { ...answer, notes };
  }
  const sent = await report(incident);
  return {
    ...answer,
    incident: { incidentId: incident.incidentId, teamId: incident.teamId, ...sent },
  };
}

/** The ops tools, one per ops route, for operator tokens only. */
const OPS_TOOLS: readonly OpsTool[] = [
  {
    name: 'list_dead_letters',
    title: 'List dead letters',
    description: `${DEAD_LETTERS} Lists the letters that arrived from \`from\` to \`to\` (UTC dates; default today, at most ${MAX_DEAD_LETTER_DAYS} days), optionally of one reason or device, newest date first, with a count per reason; \`truncated\` says the list stopped at \`limit\`. Pass a letter's id to explain_dead_letter. Operators only.`,
    input: DeadLetterListQuery,
    output: DeadLetterListResponse,
    path: '/v1/ops/dead-letters',
    annotations: { readOnlyHint: true },
  },
  {
    name: 'explain_dead_letter',
    title: 'Explain a dead letter',
    description: `${DEAD_LETTERS} Explains one letter, by the id list_dead_letters answers: its reason and what it means, the contract's field issues, the stream position, the likely fix, and whether a rebuild from the raw archive counts its events once fixed. Operators only.`,
    input: DeadLetterIdQuery,
    output: DeadLetterResponse,
    path: '/v1/ops/dead-letter',
    annotations: { readOnlyHint: true },
  },
  {
    name: 'replay_dead_letters',
    title: 'Replay dead letters (dry run first)',
    description: `${DEAD_LETTERS} After a fix (a device or its key registered late), replays letters' records from the stream through the same exactly-once processor, so their events count once; replaying twice changes nothing. Select the letters by \`ids\` (1..${MAX_REPLAY_LETTERS}, from list_dead_letters) or by a range (\`from\`, \`to\`, \`reason\`, \`deviceId\`, \`limit\` <= ${MAX_REPLAY_LETTERS}: the letters a fix can recover that no replay has counted), not both. It takes a dry run first: without \`confirm\` it only plans (nothing is written) and answers the plan and its \`confirm\` token; show the plan to the operator, and only once they agree call again with the same selection and that \`confirm\`, which replays. A stale token (the selection changed) is refused: plan again. Letters whose records have left the stream (7 days) answer not_found: the CLI replays those from the raw archive. Operators only.`,
    input: ReplayRequest.omit({ dryRun: true }).extend({
      reportIncident: ReportReplay.optional().meta({
        description:
          'With confirm: report the pipeline incident the replay resolved (the letters it counted) as an assisted dead_letter_replay incident of this team, so the pipeline counts the hours its own toolkit saved. Needs this server to have an edge client; the same replay reported twice counts once.',
      }),
    }),
    output: ReplayResponse.extend({
      incident: z
        .object({
          incidentId: z.string(),
          teamId: z.string(),
          eventId: z.string(),
          deviceId: z.string(),
          seq: z.number().int(),
        })
        .optional()
        .meta({
          description: 'The incident reported (reportIncident), as the edge client spooled it',
        }),
    }),
    path: '/v1/ops/dead-letters/replay',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
    // No confirm: a dry run. The API replays only a confirm of the same selection now.
    body: ({ reportIncident: _report, ...args }) => ({
      ...args,
      dryRun: args.confirm === undefined,
    }),
    after: reportReplayed,
  },
  {
    name: 'get_pipeline_status',
    title: 'Pipeline status',
    description:
      "The pipeline's own health: per shard of the telemetry stream, the processor's last batch (iterator age, records, events counted and dead-lettered, records left to a retry, its first error) and a state (ok, behind, failing, quiet, unseen); the last 24 hours' dead letters per hour; and the recent errors. The worst shard's state is `state`. Operators only.",
    input: NoQuery,
    output: PipelineStatusResponse,
    path: '/v1/ops/pipeline-status',
    annotations: { readOnlyHint: true },
  },
  {
    name: 'get_fleet_health',
    title: 'Fleet health of a region',
    description:
      "The edge fleet of one region, from the daemons' own statuses: per store, worst first, the devices reporting and silent (no status for 25 minutes), the oldest unsent event, the furthest a clock runs ahead, daemon versions, models, last error codes and complete-through (figures up to it change only by late events of silent devices); a summary of every store read. `only=all` lists every store, not only those needing attention. Operators only.",
    input: FleetHealthQuery,
    output: FleetHealthResponse,
    path: '/v1/fleet/health',
    annotations: { readOnlyHint: true },
  },
];

/** One ops tool: the route's answer as it is. */
function registerOpsTool(
  server: McpServer,
  api: ImpactApiClient,
  tool: OpsTool,
  report: ImpactMcpOptions['reportIncident'],
) {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      // A copy without the schema's OpenAPI id, so the tool's output schema is an object
      // schema itself (as MCP requires), not a reference to one.
      outputSchema: tool.output.extend({}),
      annotations: tool.annotations,
    },
    (async (args: ToolArgs) => {
      try {
        type Answer = Record<string, unknown>;
        const answered =
          tool.body === undefined
            ? await api.get<Answer>(tool.path, args)
            : await api.post<Answer>(tool.path, tool.body(args));
        return answer(
          tool.after === undefined ? answered : await tool.after(args, answered, report),
        );
      } catch (error) {
        return failure(error);
      }
    }) as never,
  );
}

/** The tool's path and view with `{name}` filled from `args`, and the arguments left for the query. */
function fillTemplates(tool: ReadingTool, args: ToolArgs) {
  const query = { ...args };
  const fill = (template: string) =>
    template.replace(/\{(\w+)\}/g, (_, name: string) => {
      delete query[name];
      return encodeURIComponent(String(args[name]));
    });
  const path = fill(tool.path);
  const view = fill(tool.view);
  return { path, view, query };
}

/** The dashboard's `#/` route `hash`, with the query parameters that are set. */
function dashboardLink(
  dashboardUrl: string,
  hash: string,
  query: Record<string, string | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  return `${dashboardUrl.replace(/\/$/, '')}/#/${hash}${params.size > 0 ? `?${params}` : ''}`;
}

/** `report_incident`: an automation's closed incident, sent as the caller's own device. */
function registerReportTool(
  server: McpServer,
  report: NonNullable<ImpactMcpOptions['reportIncident']>,
) {
  server.registerTool(
    'report_incident',
    {
      title: 'Report a closed on-call incident',
      description: `An on-call automation reports an incident it closed, as an oncall_incident event of the telemetry contract; the pipeline counts the hours it saved. It is sent as this caller's own registered agent device, which must be bound to the incident's team (otherwise the pipeline refuses it). ${SENDER_FIELDS.join(', ')} are assigned by the edge client and refused here. Reporting the same incidentId again counts it once. Reports are rate-limited per automation: past the limit the tool answers an error saying when to retry.`,
      inputSchema: OncallIncidentReport,
      outputSchema: {
        accepted: z.literal(true),
        eventId: z.string(),
        deviceId: z.string(),
        seq: z.number(),
      },
      annotations: { readOnlyHint: false, idempotentHint: true },
    },
    async (incident) => {
      try {
        return answer({ accepted: true, ...(await report(incident)) });
      } catch (error) {
        return failure(error);
      }
    },
  );
}
