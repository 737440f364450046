/**
 * `npm run structure`: the production tree's structure as issue 18 judges it: imports that
 * leave their folder by a `../` path, folder-level and file-level import loops, arrows between
 * modules that point the wrong way, imports with a computed target, the longest functions, and
 * the README's length. `-- --json` prints one JSON line instead.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { measureTree } from './module-graph.js';

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, top: { type: 'string', default: '10' } },
});
const tree = measureTree(process.cwd());
const readmeLines = readFileSync('README.md', 'utf8').split('\n').length - 1;
const byFolder = new Map<string, number>();
for (const { from } of tree.parentRelativeImports) {
  const folder = dirname(from);
  byFolder.set(folder, (byFolder.get(folder) ?? 0) + 1);
}
const top = tree.largestFunctions.slice(0, Number(values.top));
if (values.json) {
  console.log(
    JSON.stringify({
      parentRelativeImports: tree.parentRelativeImports.length,
      parentRelativeImportsByFolder: Object.fromEntries(byFolder),
      folderLoops: tree.folderLoops,
      fileLoops: tree.fileLoops,
      wrongWayArrows: tree.wrongWayArrows,
      computedImports: tree.computedImports,
      largestFunctions: top,
      readmeLines,
    }),
  );
} else {
  console.log(`imports leaving their folder by '../': ${tree.parentRelativeImports.length}`);
  for (const [folder, n] of [...byFolder].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${String(n).padStart(4)}  ${folder}/`);
  }
  console.log(`folder-level import loops: ${tree.folderLoops.length}`);
  for (const loop of tree.folderLoops) console.log(`  ${loop.join(' <-> ')}`);
  console.log(`file-level import loops: ${tree.fileLoops.length}`);
  console.log(`arrows between modules that point the wrong way: ${tree.wrongWayArrows.length}`);
  for (const { from, to } of tree.wrongWayArrows) console.log(`  ${from} -> ${to}`);
  console.log(`imports with a computed target: ${tree.computedImports.length}`);
  for (const { from, call } of tree.computedImports) console.log(`  ${from}: ${call}`);
  console.log('longest functions (lines):');
  for (const f of top) console.log(`  ${String(f.lines).padStart(4)}  ${f.name}  ${f.where}`);
  console.log(`README.md: ${readmeLines} lines`);
}
