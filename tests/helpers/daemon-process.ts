import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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

/** The Node flags `npm run edge-client` runs the daemon with (package.json). */
export const DAEMON_NODE_FLAGS = ['--max-old-space-size=96', '--max-semi-space-size=2'];

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
  const args =
    built === undefined
      ? [...nodeFlags, '--import', 'tsx', MAIN, 'run', '--config', configFile]
      : [...nodeFlags, built.script, 'run', '--config', configFile];
  const child = spawn(built?.node ?? process.execPath, args, {
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
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise<DaemonProcess>((resolve, reject) => {
    const timer = setTimeout(() => fail('did not start within 20 s'), 20_000);
    function fail(why: string) {
      clearTimeout(timer);
      reject(new Error(`daemon ${why}:\n${output}`));
    }
    let ready = false;
    const take = (c: Buffer) => {
      output += c.toString();
      if (ready) return;
      const url = /"(?:http|gateway)":"(https?:\/\/[^"]+)"/.exec(output)?.[1];
      if (url === undefined) return;
      ready = true;
      clearTimeout(timer);
      const startupMs = performance.now() - started;
      resolve({ child, url, output: () => output, exited, startupMs });
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.on('error', (error) => fail(`could not be spawned (${error.message})`));
    void exited.then((code) => {
      if (!ready) fail(`exited with ${code} before it was ready`);
    });
  });
}
