import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { DaemonConfig } from '#edge-client';
import { daemonNodeFlags } from './daemon-flags.js';

export { daemonNodeFlags };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TEMPLATES = fileURLToPath(new URL('./edge-install/', import.meta.url));

/** Where `npm run build:edge` writes the artifact (git-ignored). */
export const EDGE_ARTIFACT_DIR = join(ROOT, 'dist', 'edge');

/** The bundle's file name in the artifact, and in /opt/edge-client on a panel PC. */
export const EDGE_BUNDLE = 'edge-client.mjs';

/** The checksum file: `sha256sum -c SHA256SUMS` in the folder verifies every other file. */
export const CHECKSUMS = 'SHA256SUMS';

export interface ArtifactFile {
  readonly name: string;
  readonly bytes: number;
}

export interface EdgeArtifact {
  readonly dir: string;
  /** Every file in the folder, by name, SHA256SUMS last. */
  readonly files: readonly ArtifactFile[];
  /** The third-party packages bundled in, as `name@version (license)`. */
  readonly packages: readonly string[];
}

/**
 * Builds the edge client as an installable folder: one esbuild bundle of the CLI with every
 * dependency in it (the AWS SDK included; nothing but Node.js >= 20 needed), its source map
 * (not loaded unless the unit adds --enable-source-maps), the licences of what is bundled, the
 * systemd unit, the install step, an example config (checked against DaemonConfig),
 * INSTALL.md, and SHA256SUMS over them all.
 */
export async function buildEdgeArtifact(dir: string = EDGE_ARTIFACT_DIR): Promise<EdgeArtifact> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { metafile } = await build({
    entryPoints: [join(ROOT, 'edge-client/src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    // The packages' ES module builds first (the AWS SDK's dist-es): a third smaller than their
    // CommonJS builds, as the CDK bundles ESM functions.
    mainFields: ['module', 'main'],
    // Linked, so that a stack trace can be mapped back (node --enable-source-maps, or offline);
    // without source text, which the repository has.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    metafile: true,
    outfile: join(dir, EDGE_BUNDLE),
    logLevel: 'warning',
  });
  const licences = bundledPackages(metafile);
  writeFileSync(join(dir, 'THIRD-PARTY-LICENSES.txt'), licences.text);
  const template = (name: string) => readFileSync(join(TEMPLATES, name), 'utf8');
  writeFileSync(
    join(dir, 'edge-client.service'),
    template('edge-client.service').replace('@NODE_FLAGS@', daemonNodeFlags().join(' ')),
  );
  writeFileSync(join(dir, 'install.sh'), template('install.sh'));
  chmodSync(join(dir, 'install.sh'), 0o755);
  writeFileSync(join(dir, 'INSTALL.md'), template('INSTALL.md'));
  const example = template('edge.example.json');
  const parsed = DaemonConfig.safeParse(JSON.parse(example));
  if (!parsed.success)
    throw new Error(`edge.example.json is not a valid config: ${parsed.error.message}`);
  writeFileSync(join(dir, 'edge.example.json'), example);
  return { dir, files: writeChecksums(dir), packages: licences.packages };
}

/** Writes SHA256SUMS (sha256sum's format) over every other file; returns all files' sizes. */
function writeChecksums(dir: string): ArtifactFile[] {
  const names = readdirSync(dir)
    .filter((n) => n !== CHECKSUMS)
    .sort();
  const files = names.map((name) => ({ name, data: readFileSync(join(dir, name)) }));
  writeFileSync(
    join(dir, CHECKSUMS),
    files.map((f) => `${createHash('sha256').update(f.data).digest('hex')}  ${f.name}\n`).join(''),
  );
  return [
    ...files.map((f) => ({ name: f.name, bytes: f.data.length })),
    { name: CHECKSUMS, bytes: readFileSync(join(dir, CHECKSUMS)).length },
  ];
}

/**
 * The packages esbuild put in the bundle (from its metafile), each with its licence text: the
 * bundle is a redistribution of them, and Apache-2.0 (the AWS SDK) and MIT ask for the notice.
 */
function bundledPackages(metafile: Metafile): { packages: string[]; text: string } {
  const dirs = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const parts = input.split(/[\\/]/);
    const at = parts.lastIndexOf('node_modules');
    if (at < 0) continue;
    const scoped = (parts[at + 1] ?? '').startsWith('@');
    dirs.add(parts.slice(0, at + (scoped ? 3 : 2)).join(sep));
  }
  const entries = [...dirs].map((d) => {
    const abs = join(ROOT, d);
    const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      license?: string;
    };
    const files = readdirSync(abs).filter((n) => /^(licen[cs]e|copying|notice)/i.test(n));
    const notice =
      files.length === 0
        ? `(no licence file in the package; its package.json says ${pkg.license ?? 'nothing'})`
        : files.map((f) => readFileSync(join(abs, f), 'utf8').trim()).join('\n\n');
    return { id: `${pkg.name}@${pkg.version} (${pkg.license ?? 'unknown'})`, notice };
  });
  entries.sort((a, b) => a.id.localeCompare(b.id));
  const byNotice = new Map<string, string[]>();
  for (const e of entries) byNotice.set(e.notice, [...(byNotice.get(e.notice) ?? []), e.id]);
  const text = [
    'The edge client bundle (edge-client.mjs) contains the following packages.\n',
    ...[...byNotice].map(([notice, ids]) => `${'='.repeat(78)}\n${ids.join('\n')}\n\n${notice}\n`),
  ].join('\n');
  return { packages: entries.map((e) => e.id), text };
}
