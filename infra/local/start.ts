import { join, resolve } from 'node:path';
import { DEFAULT_BASELINES } from '#domain/hours-saved';
import { LOCAL_PORTS, TABLES, TELEMETRY_STREAM } from '#shared/resources';
import { parseCommandLine } from '#utils';
import { type EmbeddedStack, startEmbeddedStack } from './embedded-stack.js';
import { parseTopology, runLocalSimulation, type SimulationTopology } from './local-simulation.js';

const USAGE = `npm start [-- options]

Starts the embedded stack (Kinesis and DynamoDB emulators, processor, impact API) and, unless
--no-simulate is given, a small store-fleet simulator so that the numbers move: its lane PCs
and store gateways also report their own status every 5 minutes (fleet health, coverage).

  --no-simulate      do not run the simulator
  --no-history       on a first run, do not send the last days' history first (see below)
  --history-days N   days of history a first run sends (default 30, at most 34)
  --stores N         simulated stores (default 5)
  --rate R           simulated events per second (default 20)
  --topology T       direct (one edge client for the fleet, default) or gateway (a client per
                     lane PC, each delivering to its store's gateway)
  --data-dir DIR     local data folder (default .data, or LOCAL_DATA_DIR)
  --verbose          the handlers' INFO logs too (default: warnings and errors)

A first run with the simulator (no history sent yet in the data folder) first sends the
last --history-days days of the fleet through the same edge client and pipeline, once.

Ports: API_PORT (3000), KINESIS_PORT (4567), DYNAMODB_PORT (8000).`;

const port = (name: string, fallback: number) => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535)
    throw new Error(`${name} must be a port number, got "${raw}"`);
  return value;
};

async function main() {
  const flags = readFlags();
  if (flags === undefined) return;
  // The handlers log every batch and request at INFO: useful in CloudWatch, noise in a terminal.
  if (!flags.verbose) process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  const started = performance.now();
  const dataDir = resolve(flags.dataDir);
  const stack = await startStack(dataDir);
  printEndpoints(stack, dataDir);
  const simulation = new AbortController();
  const simulator = flags.simulate
    ? startSimulation(stack, dataDir, flags, simulation.signal)
    : Promise.resolve();
  console.log(
    `ready in ${((performance.now() - started) / 1000).toFixed(1)} s; get a token with: npm run token -- --role leadership`,
  );
  stopOnSignals(dataDir, stack, simulation, simulator);
}

/** The command line, checked; undefined when it asked for --help (printed). */
function readFlags() {
  const { values } = parseCommandLine(
    {
      options: {
        'no-simulate': { type: 'boolean', default: false },
        'no-history': { type: 'boolean', default: false },
        'history-days': { type: 'string', default: '30' },
        stores: { type: 'string', default: '5' },
        rate: { type: 'string', default: '20' },
        topology: { type: 'string', default: 'direct' },
        'data-dir': { type: 'string', default: process.env.LOCAL_DATA_DIR ?? '.data' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (values.help) {
    console.log(USAGE);
    return undefined;
  }
  const stores = Number(values.stores);
  const rate = Number(values.rate);
  if (!Number.isInteger(stores) || stores < 1)
    throw new Error('--stores must be a positive integer');
  if (!(rate > 0)) throw new Error('--rate must be a positive number');
  const historyDays = Number(values['history-days']);
  // The processor refuses events more than 35 days behind their arrival (too_old).
  if (!Number.isInteger(historyDays) || historyDays < 1 || historyDays > 34)
    throw new Error('--history-days must be an integer from 1 to 34');
  return {
    simulate: !values['no-simulate'],
    historyDays: values['no-history'] ? 0 : historyDays,
    stores,
    rate,
    topology: parseTopology(values.topology),
    dataDir: values['data-dir'],
    verbose: values.verbose,
  };
}

/** The embedded stack with the dashboard, on the ports the environment names (or LOCAL_PORTS). */
function startStack(dataDir: string): Promise<EmbeddedStack> {
  return startEmbeddedStack({
    dataDir,
    ports: {
      api: port('API_PORT', LOCAL_PORTS.api),
      kinesis: port('KINESIS_PORT', LOCAL_PORTS.kinesis),
      dynamodb: port('DYNAMODB_PORT', LOCAL_PORTS.dynamodb),
    },
    dashboard: true,
    onError: (error, shard) =>
      console.error(`poller [${shard}]: ${error instanceof Error ? error.message : String(error)}`),
  });
}

function printEndpoints(stack: EmbeddedStack, dataDir: string) {
  console.log(`dashboard           ${stack.apiUrl}/`);
  console.log(`impact API          ${stack.apiUrl}/v1/impact?from=YYYY-MM-DD&to=YYYY-MM-DD`);
  console.log(
    `Kinesis emulator    ${stack.kinesisEndpoint}   stream ${TELEMETRY_STREAM.localName}`,
  );
  console.log(
    `DynamoDB emulator   ${stack.dynamodbEndpoint}   tables ${Object.values(TABLES)
      .map((t) => t.localName)
      .join(', ')}`,
  );
  console.log(`data folder         ${dataDir}`);
}

/** The store-fleet simulator, until `signal` aborts; a failure is reported, not thrown. */
function startSimulation(
  stack: EmbeddedStack,
  dataDir: string,
  {
    stores,
    rate,
    topology,
    historyDays,
  }: { stores: number; rate: number; topology: SimulationTopology; historyDays: number },
  signal: AbortSignal,
): Promise<unknown> {
  const truthFile = join(dataDir, 'simulator', 'ground-truth.json');
  console.log(
    `simulator           ${stores} stores, ${rate} events/s, ${topology} topology, ground truth in ${truthFile}`,
  );
  return runLocalSimulation({
    kinesis: stack.kinesis,
    dynamodb: stack.dynamodb,
    stores,
    rate,
    seed: 1,
    baselines: DEFAULT_BASELINES,
    truthFile,
    spoolDir: join(dataDir, 'simulator', 'spool'),
    topology,
    statuses: {},
    ...(historyDays > 0 && {
      backfill: {
        days: historyDays,
        planFile: join(dataDir, 'simulator', 'history.json'),
        onSpooled: (events: number, ms: number) =>
          console.log(
            `history             ${events} events of the last ${historyDays} days spooled in ${(ms / 1000).toFixed(1)} s (sent once; the live simulation follows)`,
          ),
      },
    }),
    signal,
  }).catch((error: unknown) =>
    console.error(`simulator stopped: ${error instanceof Error ? error.message : String(error)}`),
  );
}

/** SIGINT or SIGTERM stops the simulator, then the stack, and exits; a second one forces it. */
function stopOnSignals(
  dataDir: string,
  stack: EmbeddedStack,
  simulation: AbortController,
  simulator: Promise<unknown>,
) {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      console.error('forced exit');
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: stopping (simulator, processor, API, emulators)...`);
    simulation.abort();
    await simulator;
    await stack.stop();
    console.log('stopped; data kept in', dataDir);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
