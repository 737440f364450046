import { readLaneToken, SecretFileError, sha256Hex } from '../credentials/lane-credentials.js';
import { SpoolFormatError } from '../errors/spool-format-error.js';
import { parseCommandLine } from '../utils/command-line.js';
import { startDaemon } from './daemon.js';
import { ConfigError, loadDaemonConfig } from './daemon-config.js';
import { formatCheck, runDoctor } from './doctor.js';

const USAGE = `edge-client run --config edge.json
edge-client doctor --config edge.json [--time-source URL]
edge-client token-hash --token-file lane.token

run: the panel-PC daemon: accepts telemetry events as NDJSON on standard input and on
POST /events (JSON object, array or NDJSON), spools them durably, and sends them to Kinesis
(or, with "upstream", to the store gateway). With "gateway" it is the store gateway.
GET /status answers the metrics. SIGTERM or SIGINT drains and exits.
doctor: checks the set-up the config describes (config, spool folder, free space, fsync mode,
spool format, clock, credentials, the stream or the lane's gateway, the signing key), one line
per check (ok, warn, FAIL, skip); exits 1 if any check fails. --time-source: an http(s) URL
whose Date header is the trusted time (default: the Kinesis endpoint, or the lane's gateway).
token-hash: prints the SHA-256 of a lane's token file (owner-only), for the gateway's config.`;

async function main() {
  const { positionals, values } = parseCommandLine(
    {
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        'token-file': { type: 'string' },
        'time-source': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    },
    USAGE,
  );
  if (positionals[0] === 'token-hash' && values['token-file'] !== undefined) {
    console.log(sha256Hex(readLaneToken(values['token-file'])));
    return;
  }
  if (positionals[0] === 'doctor' && values.config !== undefined) {
    const results = await runDoctor({
      configFile: values.config,
      ...(values['time-source'] !== undefined && { timeSource: values['time-source'] }),
    });
    for (const result of results) console.log(formatCheck(result));
    process.exit(results.some((r) => r.status === 'FAIL') ? 1 : 0);
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

// A wrong config, a secret file it names that must not be used, or a spool a newer release
// wrote, is the operator's to fix (exit 2, the message alone): a restart cannot mend it.
main().catch((error: unknown) => {
  const refused =
    error instanceof ConfigError ||
    error instanceof SecretFileError ||
    error instanceof SpoolFormatError;
  console.error(refused ? error.message : error);
  process.exit(refused ? 2 : 1);
});
