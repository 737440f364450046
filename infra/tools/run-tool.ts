import { localAwsEnv } from '#local';
import { LOCAL_PORTS, TABLES, TELEMETRY_STREAM } from '#shared/resources';

/** The option every operations command takes to work on the embedded stack (`npm start`). */
export const LOCAL_OPTION = { local: { type: 'boolean', default: false } } as const;

export const LOCAL_USAGE = `  --local        the embedded stack (npm start): its endpoints (KINESIS_PORT, DYNAMODB_PORT,
                 default ${LOCAL_PORTS.kinesis}, ${LOCAL_PORTS.dynamodb}), placeholder credentials and local names,
                 where the environment does not already say otherwise`;

/**
 * Points the AWS SDK at the embedded stack, where the environment has not already, and
 * answers the stack's local names as a deployed stack's outputs would.
 */
export function pointAtLocalStack() {
  const port = (name: string, fallback: number) => process.env[name] || String(fallback);
  const env = localAwsEnv({
    kinesis: `http://127.0.0.1:${port('KINESIS_PORT', LOCAL_PORTS.kinesis)}`,
    dynamodb: `http://127.0.0.1:${port('DYNAMODB_PORT', LOCAL_PORTS.dynamodb)}`,
  });
  for (const [name, value] of Object.entries(env))
    if (!process.env[name]) process.env[name] = value;
  return {
    StreamName: TELEMETRY_STREAM.localName,
    ApiUrl: `http://127.0.0.1:${port('API_PORT', LOCAL_PORTS.api)}`,
    RegistryTable: TABLES.registry.localName,
    AggregatesTable: TABLES.aggregates.localName,
  };
}

/**
 * Runs a command's `main`: a failure prints its message (never a stack trace) and exits 1;
 * the SDK's bare "Region is missing" says what to set.
 */
export function runTool(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(
      message === 'Region is missing'
        ? 'No AWS region: set AWS_REGION (and credentials) for a deployed stack, or pass --local for the embedded stack (npm start).'
        : message,
    );
    process.exit(1);
  });
}
