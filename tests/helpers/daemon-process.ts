import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { daemonNodeFlags } from '../../infra/tools/daemon-flags.js';
import { TEST_KEY_ID, testKey } from './factories.js';

const MAIN = fileURLToPath(new URL('../../edge-client/src/cli/main.ts', import.meta.url));

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  /** From spawn to the ready line (naming its HTTP intake or LAN listener), in ms. */
  readonly startupMs: number;
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

/** The Node flags `npm run edge-client` runs the daemon with (package.json), as the unit does. */
export const DAEMON_NODE_FLAGS = daemonNodeFlags();

/**
 * A built daemon to run instead of the TypeScript source under tsx: the bundle (`script`) run
 * by a `node` binary from `cwd`, with an environment of PATH alone (no NODE_OPTIONS, no
 * NODE_PATH), as a service manager gives it.
 */
export interface BuiltDaemon {
  readonly node: string;
  readonly script: string;
  readonly cwd: string;
}

/**
 * The edge-client CLI as its own process (the source under tsx, or a `built` bundle), with
 * placeholder AWS keys and region (`env` overrides them); its standard output and error are
 * collected as they come, and `onOutput` sees each chunk.
 */
function spawnCli(
  args: readonly string[],
  env: Record<string, string>,
  nodeFlags: readonly string[] = [],
  built?: BuiltDaemon,
  onOutput?: () => void,
) {
  const argv =
    built === undefined
      ? [...nodeFlags, '--import', 'tsx', MAIN, ...args]
      : [...nodeFlags, built.script, ...args];
  const child = spawn(built?.node ?? process.execPath, argv, {
    ...(built !== undefined && { cwd: built.cwd }),
    env: {
      ...(built === undefined ? process.env : { PATH: process.env.PATH ?? '/usr/bin:/bin' }),
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
    onOutput?.();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out.stderr += c.toString();
    out.both += c.toString();
    onOutput?.();
  });
  return { child, out };
}

/**
 * Starts the edge daemon as its own process (as on a panel PC) and waits for its HTTP intake
 * (or, for a store gateway, its LAN listener).
 */
export function spawnDaemon(
  configFile: string,
  env: Record<string, string> = {},
  nodeFlags: readonly string[] = [],
  built?: BuiltDaemon,
): Promise<DaemonProcess> {
  const started = performance.now();
  return new Promise<DaemonProcess>((resolve, reject) => {
    let ready = false;
    const { child, out } = spawnCli(['run', '--config', configFile], env, nodeFlags, built, () => {
      if (ready) return;
      const url = /"(?:http|gateway)":"(https?:\/\/[^"]+)"/.exec(out.both)?.[1];
      if (url === undefined) return;
      ready = true;
      clearTimeout(timer);
      const startupMs = performance.now() - started;
      resolve({ child, url, output: () => out.both, exited, startupMs });
    });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => fail('did not start within 20 s'), 20_000);
    function fail(why: string) {
      clearTimeout(timer);
      reject(new Error(`daemon ${why}:\n${out.both}`));
    }
    child.on('error', (error) => fail(`could not be spawned (${error.message})`));
    void exited.then((code) => {
      if (!ready) fail(`exited with ${code} before it was ready`);
    });
  });
}

/**
 * Writes a relay's keyring (`signing.keyringFile`) of these devices' test keys
 * (factories.ts testKey, under TEST_KEY_ID), owner-only.
 */
export function writeTestKeyring(file: string, deviceIds: readonly string[]): string {
  const keys = deviceIds.map((deviceId) => ({
    deviceId,
    keyId: TEST_KEY_ID,
    privateKey: testKey(deviceId).export({ type: 'pkcs8', format: 'pem' }).toString(),
  }));
  writeFileSync(file, JSON.stringify({ keys }), { mode: 0o600 });
  return file;
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
