import { relative } from 'node:path';
import { parseCommandLine } from '#utils';
import { buildEdgeArtifact, EDGE_ARTIFACT_DIR } from './edge-artifact.js';

const USAGE = `npm run build:edge [-- --out DIR]

Writes the edge client as a folder to copy onto a panel PC (default dist/edge/): one bundled
edge-client.mjs that needs nothing but Node.js 20 or later, its source map, the licences of
what it bundles, a hardened systemd unit, install.sh, an example config, INSTALL.md, and
SHA256SUMS. Prints each file's size.`;

async function main() {
  const { values } = parseCommandLine(
    { options: { out: { type: 'string' }, help: { type: 'boolean', default: false } } },
    USAGE,
  );
  if (values.help) {
    console.error(USAGE);
    process.exit(0);
  }
  const artifact = await buildEdgeArtifact(values.out ?? EDGE_ARTIFACT_DIR);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`${relative(process.cwd(), artifact.dir) || '.'}/`);
  for (const f of artifact.files) console.log(`  ${f.name.padEnd(28)}${kb(f.bytes).padStart(12)}`);
  const total = artifact.files.reduce((sum, f) => sum + f.bytes, 0);
  console.log(`  ${'total'.padEnd(28)}${kb(total).padStart(12)}`);
  console.log(
    `${artifact.packages.length} third-party packages bundled (THIRD-PARTY-LICENSES.txt)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
