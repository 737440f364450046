/**
 * `npm run bench:coldstart`: builds each function bundle with the esbuild settings the CDK
 * stack uses, and a baseline of the same handler bundled with the whole AWS SDK and no
 * minification; reports each bundle's size and the median time to import it in a fresh Node
 * process (module load plus the handler's cold-start work: config parsing, client creation).
 * Prints a table and a last JSON line.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { bundleFunction, FUNCTIONS, scratchDir } from './bundles.js';

const out = scratchDir('bench-coldstart');
const RUNS = 7;
const env = {
  ...process.env,
  AWS_REGION: 'us-east-1',
  AGGREGATES_TABLE: 'aggregates',
  REGISTRY_TABLE: 'registry',
  DEAD_LETTER_TABLE: 'dead-letters',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const bundle = (name: string, entry: string, asDeployed: boolean) =>
  bundleFunction(out, name, entry, asDeployed);

function importMs(file: string): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const script = `const t = performance.now(); await import(${JSON.stringify(file)}); console.log(performance.now() - t);`;
    times.push(
      Number(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], {
          env,
          encoding: 'utf8',
        }).trim(),
      ),
    );
  }
  times.sort((a, b) => a - b);
  return Math.round((times[Math.floor(RUNS / 2)] as number) * 10) / 10;
}

const functions: Record<string, { bytes: number; importMs: number }> = {};
const baseline: Record<string, { bytes: number; importMs: number }> = {};
for (const [name, entry] of Object.entries(FUNCTIONS)) {
  const deployed = await bundle(name, entry, true);
  const fat = await bundle(name, entry, false);
  functions[name] = { bytes: statSync(deployed).size, importMs: importMs(deployed) };
  baseline[name] = { bytes: statSync(fat).size, importMs: importMs(fat) };
}
rmSync(out, { recursive: true, force: true });

console.log(
  `${'function'.padEnd(14)}${'bundle'.padEnd(14)}${'import'.padEnd(12)}${'baseline bundle'.padEnd(18)}baseline import`,
);
for (const name of Object.keys(FUNCTIONS)) {
  const f = functions[name] as { bytes: number; importMs: number };
  const b = baseline[name] as { bytes: number; importMs: number };
  console.log(
    `${name.padEnd(14)}${`${(f.bytes / 1024).toFixed(0)} KB`.padEnd(14)}${`${f.importMs} ms`.padEnd(12)}${`${(b.bytes / 1024).toFixed(0)} KB`.padEnd(18)}${b.importMs} ms   (${(b.bytes / f.bytes).toFixed(1)}x smaller, ${(b.importMs / f.importMs).toFixed(1)}x faster)`,
  );
}
const under = Object.values(functions).every((f) => f.bytes < 250 * 1024);
console.log(`every bundle under 250 KB: ${under}`);
console.log(JSON.stringify({ functions, baseline, everyBundleUnder250Kb: under }));
