import { readLaneToken, SecretFileError, sha256Hex } from '../credentials/lane-credentials.js';
import { parseCommandLine } from '../utils/command-line.js';
import { startDaemon } from './daemon.js';
import { ConfigError, loadDaemonConfig } from './daemon-config.js';

const USAGE = `edge-client run --config edge.json
edge-client token-hash --token-file lane.token

run: the panel-PC daemon: accepts telemetry events as NDJSON on standard input and on
POST /events (JSON object, array or NDJSON), spools them durably, and sends them to Kinesis
(or, with "upstream", to the store gateway). With "gateway" it is the store gateway.
GET /status answers the metrics. SIGTERM or SIGINT drains and exits.
token-hash: prints the SHA-256 of a lane's token file (owner-only), for the gateway's config.`;

async function main() {
  const { positionals, values } = parseCommandLine(
    {
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        'token-file': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (positionals[0] === 'token-hash' && values['token-file'] !== undefined) {
    console.log(sha256Hex(readLaneToken(values['token-file'])));
    return;
  }
  if (values.help || positionals[0] !== 'run' || values.config === undefined) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const config = loadDaemonConfig(values.config);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const daemon = await startDaemon(config, { stdin: process.stdin, log });
  log(
    JSON.stringify({
      level: 'INFO',
      message: config.gateway === undefined ? 'edge daemon ready' : 'store gateway ready',
      ...(config.streamName !== undefined && { stream: config.streamName }),
      ...(config.upstream !== undefined && { upstream: config.upstream.url }),
      spool: config.spool.dir,
      ...(daemon.url !== undefined && { http: daemon.url }),
      ...(daemon.gatewayUrl !== undefined && { gateway: daemon.gatewayUrl }),
    }),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(JSON.stringify({ level: 'INFO', message: `${signal}: draining` }));
    daemon.stop().then(
      ({ drained }) => {
        log(
          JSON.stringify({
            level: 'INFO',
            message: drained ? 'drained, exiting' : 'exiting; undelivered events stay spooled',
          }),
        );
        process.exit(0);
      },
      (error: unknown) => {
        log(JSON.stringify({ level: 'ERROR', message: 'shutdown failed', error: String(error) }));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A config, or a secret file it names, that must not be used: one line, exit 2.
  const refused = error instanceof ConfigError || error instanceof SecretFileError;
  console.error(refused ? error.message : error);
  process.exit(refused ? 2 : 1);
});
