import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The DynamoDB emulator in a process of its own, so that a benchmark's CPU and memory figures
 * are the measured code's alone.
 */
export async function startDynaliteProcess(): Promise<{ endpoint: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import d from 'dynalite'; const s = d({ createTableMs: 0 }); s.listen(0, '127.0.0.1', () => console.log(s.address().port));",
    ],
    // Its stderr is not inherited: a pipe held open by it would keep a caller's pipeline waiting.
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { endpoint: `http://127.0.0.1:${port}`, child };
}
