import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sleep } from '#edge-client';

const MAIN = fileURLToPath(new URL('../../edge-client/src/cli/main.ts', import.meta.url));

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
}

/** Runs the edge daemon on a config it must refuse: its exit code and what it wrote. */
export function refusedDaemon(configFile: string): { code: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', MAIN, 'run', '--config', configFile],
    {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

/** The Node flags `npm run edge-client` runs the daemon with (package.json). */
export const DAEMON_NODE_FLAGS = ['--max-old-space-size=96', '--max-semi-space-size=2'];

/**
 * Starts the edge daemon as its own process (as on a panel PC) and waits for its HTTP intake
 * (or, for a store gateway, its LAN listener).
 */
export async function spawnDaemon(
  configFile: string,
  env: Record<string, string> = {},
  nodeFlags: readonly string[] = [],
): Promise<DaemonProcess> {
  const args = [...nodeFlags, '--import', 'tsx', MAIN, 'run', '--config', configFile];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const url = /"(?:http|gateway)":"(https?:\/\/[^"]+)"/.exec(output)?.[1];
    if (url !== undefined) return { child, url, output: () => output, exited };
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`daemon did not start:\n${output}`);
    await sleep(50);
  }
}

/**
 * Writes `key` where a daemon's `signing.keyFile` names it: PKCS#8 PEM, readable by its owner
 * only (the daemon refuses a key file others may read).
 */
export function writeSigningKeyFile(file: string, key: KeyObject): string {
  writeFileSync(file, key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return file;
}
