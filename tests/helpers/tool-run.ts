import { execFile } from 'node:child_process';

/**
 * Runs an operator CLI (`infra/tools/<script>`) against the test's emulators and resolves with
 * its exit status and output. Asynchronous: the emulators run in the test process, so a
 * synchronous spawn would starve them.
 */
export function runTool(
  script: string,
  args: readonly string[],
  endpoints: { readonly dynamodbEndpoint: string; readonly kinesisEndpoint?: string },
  /** Added to the environment; `undefined` removes a variable. */
  env: Record<string, string | undefined> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodbEndpoint,
    ...(endpoints.kinesisEndpoint !== undefined && {
      AWS_ENDPOINT_URL_KINESIS: endpoints.kinesisEndpoint,
    }),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `infra/tools/${script}`, ...args],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: merged as NodeJS.ProcessEnv,
      },
      (error, stdout, stderr) =>
        resolve({
          status: error === null ? 0 : ((error as { code?: number }).code ?? null),
          stdout,
          stderr,
        }),
    );
  });
}
