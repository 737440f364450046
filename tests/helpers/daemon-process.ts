import { type ChildProcess, spawn } from 'node:child_process';
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

/** The Node flags `npm run edge-client` runs the daemon with (package.json). */
export const DAEMON_NODE_FLAGS = ['--max-old-space-size=96', '--max-semi-space-size=2'];

/**
 * The edge-client CLI as its own process, with placeholder AWS keys and region (`env`
 * overrides them); its standard output and error are collected as they come.
 */
function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
) {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', MAIN, ...args], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '', both: '' };
  child.stdout?.on('data', (c: Buffer) => {
    out.stdout += c.toString();
    out.both += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out.stderr += c.toString();
    out.both += c.toString();
  });
  return { child, out };
}

/**
 * Starts the edge daemon as its own process (as on a panel PC) and waits for its HTTP intake
 * (or, for a store gateway, its LAN listener).
 */
export async function spawnDaemon(
  configFile: string,
  env: Record<string, string> = {},
  nodeFlags: readonly string[] = [],
): Promise<DaemonProcess> {
  const { child, out } = spawnCli(['run', '--config', configFile], env, nodeFlags);
  const output = () => out.both;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const url = /"(?:http|gateway)":"(https?:\/\/[^"]+)"/.exec(output())?.[1];
    if (url !== undefined) return { child, url, output, exited };
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`daemon did not start:\n${output()}`);
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

/**
 * Runs the edge-client CLI to its end (`run` that fails at start-up, `doctor`, ...) and
 * resolves with its exit code and everything it printed; one still running after
 * `timeoutMs` is killed (code null), so a daemon that should have refused to start fails the
 * test instead of hanging it.
 */
export function runEdgeCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { child, out } = spawnCli(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out.stdout, stderr: out.stderr });
    });
  });
}
