import { createHash } from 'node:crypto';
import type { StoredDeadLetter } from '#adapters';
import { MAX_REPLAY_LETTERS, type ReplayRequest, type ReplayResponse } from '#api-schemas';
import { type ReplayReport, selectReplayLetters } from '#archive';
import { eachDate } from '#domain/calendar';
import { deadLetterKeyOf } from '#domain/dead-letter-id';
import { conflict, invalidParameters } from '#shared/problem';
import { listPeriod } from './dead-letter-queries.js';
import type { DeadLetterReader } from './dead-letter-reader.js';

/**
 * Replays letters through the live processor's judgement (`replayDeadLetters` of `#archive`),
 * reading their records from the stream; with `dryRun`, only finds them and plans.
 */
export interface DeadLetterReplayer {
  replay(letters: readonly StoredDeadLetter[], dryRun: boolean): Promise<ReplayReport>;
}

/** The reasons a fix can recover: a range replays only these unless it names a reason. */

const RANGE_FIELDS = ['from', 'to', 'reason', 'deviceId', 'limit'] as const;

/** The letters a request selects, and what the answer says about the selection. */
interface Selection {
  readonly letters: StoredDeadLetter[];
  readonly selection: ReplayResponse['selection'];
}

/**
 * The confirmation token of a selection: a SHA-256 of its sorted letter ids. Nothing secret
 * (the operator role is what authorises a replay); it proves the caller saw the plan of
 * exactly these letters, and goes stale when the selection changes.
 */
export function confirmToken(letters: readonly Pick<StoredDeadLetter, 'id'>[]): string {
  const ids = [...new Set(letters.map((l) => l.id))].sort();
  return `sha256:${createHash('sha256').update(ids.join('\n')).digest('hex')}`;
}

/**
 * The letters of a replay request: the named ones (`ids`, each read by key; those that name
 * no letter are left out and listed), or a range's letters of the recoverable reasons (or the
 * reason named) that no replay has counted, as `npm run dead-letters -- replay` selects them.
 * Both at once is a 400 problem.
 */
export async function selectLetters(
  request: ReplayRequest,
  reader: DeadLetterReader,
  today: string,
): Promise<Selection> {
  if (request.ids !== undefined) {
    const ranged = RANGE_FIELDS.filter((f) => request[f] !== undefined);
    if (ranged.length > 0) {
      throw invalidParameters([
        {
          name: 'ids',
          reason: `give ids or a range (${RANGE_FIELDS.join(', ')}), not both (also given: ${ranged.join(', ')})`,
        },
      ]);
    }
    for (const id of request.ids) {
      // The schema's pattern admitted it, so it parses; a 400 all the same if the two differ.
      if (deadLetterKeyOf(id) === undefined)
        throw invalidParameters([{ name: 'ids', reason: `not a dead-letter id: ${id}` }]);
    }
    // By the stored id: two spellings of one letter's id (leading zeros) are one letter.
    const { letters, missing } = await selectReplayLetters(reader, { ids: request.ids });
    return { letters, selection: { by: 'ids', truncated: false, missing } };
  }
  const period = listPeriod(request, today);
  const { letters, truncated } = await selectReplayLetters(reader, {
    dates: eachDate(period.from, period.to),
    limit: request.limit ?? MAX_REPLAY_LETTERS,
    ...(request.reason !== undefined && { reason: request.reason }),
    ...(request.deviceId !== undefined && { deviceId: request.deviceId }),
  });
  return { letters, selection: { by: 'range', period, truncated, missing: [] } };
}

/**
 * `POST /v1/ops/dead-letters/replay`: a dry run (the default) answers the plan and the
 * selection's `confirm` token; `dryRun: false` replays only if `confirm` is the token of the
 * same selection now (400 without one, 409 when the selection changed since the plan).
 */
export async function replayFor(
  request: ReplayRequest,
  ports: { readonly reader: DeadLetterReader; readonly replayer: DeadLetterReplayer },
  today: string,
): Promise<ReplayResponse> {
  const { letters, selection } = await selectLetters(request, ports.reader, today);
  const token = confirmToken(letters);
  if (!request.dryRun) {
    if (request.confirm === undefined) {
      throw invalidParameters([
        {
          name: 'confirm',
          reason:
            'dryRun false replays only the plan of a dry run: dry-run this selection first, then send its confirm token',
        },
      ]);
    }
    if (request.confirm !== token) {
      throw conflict(
        'confirm is not the token of this selection now: letters were replayed, counted or arrived since the dry run. Nothing was replayed; dry-run again and confirm its plan',
      );
    }
  }
  const report = await ports.replayer.replay(letters, request.dryRun);
  return {
    ...report,
    results: report.results.map((r) => ({ ...r })),
    confirm: token,
    selection,
    notes: notesOf(report, selection, token),
  };
}

const count = (report: ReplayReport, outcome: ReplayReport['results'][number]['outcome']) =>
  report.results.filter((r) => r.outcome === outcome).length;

/** What the operator does next, in words an assistant can pass on. */
function notesOf(
  report: ReplayReport,
  selection: ReplayResponse['selection'],
  token: string,
): string[] {
  const notes: string[] = [];
  const planned = count(report, 'would_replay');
  if (report.dryRun) {
    notes.push(
      planned > 0
        ? `Nothing was replayed. To replay these ${planned} letter(s), send the same selection with "dryRun": false and "confirm": "${token}".`
        : 'Nothing was replayed, and nothing here can be replayed from the stream.',
    );
  }
  const notFound = count(report, 'not_found');
  if (notFound > 0) {
    notes.push(
      `${notFound} letter(s) are not_found: their records have left the stream (it keeps 7 days). This API replays from the stream only; replay them from the raw archive with the CLI: npm run dead-letters -- replay ID... --source archive --archive DIR --yes (DIR: the archive bucket's raw/ synced down).`,
    );
  }
  const refused = count(report, 'refused_again');
  if (refused > 0) {
    notes.push(
      `${refused} letter(s) were refused again (see their reasons): the fix is not in place yet. Explain a letter for its fix, then replay again.`,
    );
  }
  const never = count(report, 'not_replayable');
  if (never > 0) {
    notes.push(
      `${never} letter(s) are not_replayable: a replay judges their reason the same way again.`,
    );
  }
  if (selection.truncated) {
    notes.push(
      'More letters matched than the limit: these were taken, newest arrival date first; dry-run again for the rest.',
    );
  }
  if (selection.missing.length > 0) {
    notes.push(`${selection.missing.length} id(s) name no dead letter and were left out.`);
  }
  return notes;
}
