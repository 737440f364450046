import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScenarioResult } from './harness.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** One scenario in a process of its own (see worker.ts). */
export function runInProcess(index: number, scale: number): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', WORKER, String(index), String(scale)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice('RESULT '.length)));
      else reject(new Error(`scenario ${index} failed (exit ${code}):\n${err.slice(-4000)}`));
    });
  });
}
