import { type ChildProcess, spawn } from 'node:child_process';

/**
 * An emulator in a process of its own, so that a benchmark's CPU and memory figures are the
 * measured code's alone. `factory` is the emulator package (`dynalite`, `kinesalite`), `options`
 * its in-memory settings.
 */
async function startEmulatorProcess(
  factory: 'dynalite' | 'kinesalite',
  options: Record<string, number>,
): Promise<{ endpoint: string; child: ChildProcess }> {
  return startPortProcess([
    '--input-type=module',
    '-e',
    `import f from '${factory}'; const s = f(${JSON.stringify(options)}); s.listen(0, '127.0.0.1', () => console.log(s.address().port));`,
  ]);
}

/** Starts `node <args>`, a server that prints the port it listens on (127.0.0.1) as its first line. */
export async function startPortProcess(
  args: readonly string[],
): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    args,
    // Its stderr is not inherited: a pipe held open by it would keep a caller's pipeline waiting.
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { endpoint: `http://127.0.0.1:${port}`, child };
}

/** The DynamoDB emulator in its own process. */
export function startDynaliteProcess(): Promise<{ endpoint: string; child: ChildProcess }> {
  return startEmulatorProcess('dynalite', { createTableMs: 0 });
}

/** The Kinesis emulator in its own process, with the embedded stack's settings (emulators.ts). */
export function startKinesaliteProcess(): Promise<{ endpoint: string; child: ChildProcess }> {
  return startEmulatorProcess('kinesalite', {
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 50,
  });
}
