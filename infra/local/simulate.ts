import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_BASELINES } from '#domain/hours-saved';
import { createKinesisClient } from '#edge-client';
import { LOCAL_PORTS } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { localAwsEnv } from './local-env.js';
import { parseTopology, runLocalSimulation } from './local-simulation.js';

const USAGE = `npm run simulate -- [options]

Registers a simulated store fleet and sends its events to the running embedded stack
(npm start --no-simulate, or another npm start) through the edge producer; its lane PCs and
store gateways report their own status every 5 minutes, the first within the first 5.

  --stores N       stores (default 10)
  --rate R         events per second (default 200)
  --duration D     seconds to run (default 10)
  --events N       stop after N events instead
  --seed S         random seed (default 1)
  --topology T     direct (one edge client for the fleet, default) or gateway (a client per
                   lane PC, each delivering to its store's gateway, which puts the store's records)
  --truth FILE     ground-truth file, added to if present (default <data-dir>/simulator/ground-truth.json)
  --data-dir DIR   local data folder (default .data, or LOCAL_DATA_DIR)`;

const positive = (name: string, raw: string) => {
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value))
    throw new Error(`--${name} must be a positive number, got "${raw}"`);
  return value;
};

async function main() {
  const { values } = parseCommandLine(
    {
      options: {
        stores: { type: 'string', default: '10' },
        rate: { type: 'string', default: '200' },
        duration: { type: 'string', default: '10' },
        events: { type: 'string' },
        seed: { type: 'string', default: '1' },
        topology: { type: 'string', default: 'direct' },
        truth: { type: 'string' },
        'data-dir': { type: 'string', default: process.env.LOCAL_DATA_DIR ?? '.data' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const dataDir = resolve(values['data-dir']);
  const truthFile = resolve(values.truth ?? join(dataDir, 'simulator', 'ground-truth.json'));
  const env = localAwsEnv({
    kinesis:
      process.env.AWS_ENDPOINT_URL_KINESIS ??
      `http://127.0.0.1:${process.env.KINESIS_PORT ?? LOCAL_PORTS.kinesis}`,
    dynamodb:
      process.env.AWS_ENDPOINT_URL_DYNAMODB ??
      `http://127.0.0.1:${process.env.DYNAMODB_PORT ?? LOCAL_PORTS.dynamodb}`,
  });
  for (const [k, v] of Object.entries(env)) process.env[k] ??= v;
  const kinesis = createKinesisClient();
  const dynamodb = new DynamoDBClient({});
  const started = performance.now();
  const { sent, truth } = await runLocalSimulation({
    kinesis,
    dynamodb,
    stores: positive('stores', values.stores),
    rate: positive('rate', values.rate),
    seed: positive('seed', values.seed),
    baselines: DEFAULT_BASELINES,
    truthFile,
    spoolDir: join(dataDir, 'simulator', 'spool'),
    topology: parseTopology(values.topology),
    statuses: {},
    durationMs: positive('duration', values.duration) * 1000,
    ...(values.events !== undefined && {
      maxEvents: positive('events', values.events),
      durationMs: undefined,
    }),
  });
  kinesis.destroy();
  dynamodb.destroy();
  const s = truth.shrink;
  console.log(
    `sent ${sent} events in ${((performance.now() - started) / 1000).toFixed(1)} s; ground truth in ${truthFile}`,
  );
  console.log(
    `truth (all runs): ${s.detections} detections, loss detected ${s.lossDetectedCents} c, prevented ${s.lossPreventedCents} c, confirmed ${s.confirmedLossCents} c, ${truth.hours.incidents} incidents, ${truth.hours.minutesSaved} min saved`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
