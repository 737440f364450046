import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import ts from 'typescript';

/**
 * The production tree's structure, measured from the code: which file imports which (relative
 * paths and package.json `"imports"` aliases resolved), folder-level loops, and the longest
 * functions. `npm run structure` prints it; tests/unit/module-graph.test.ts holds the tree to
 * "no folder imports another that imports it back".
 */

/** The folders outside tests/ that hold code. */
export const PRODUCTION_ROOTS = ['functions', 'infra', 'edge-client'] as const;

export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Tracked TypeScript files under the production roots, relative to `root`. */
export function productionFiles(root: string): SourceFile[] {
  // Tracked files and new ones git does not ignore, so a check sees a file before it is staged.
  const listed = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', ...PRODUCTION_ROOTS],
    { cwd: root, encoding: 'utf8' },
  );
  return [...new Set(listed.split('\n'))]
    .filter((path) => /\.tsx?$/.test(path) && !path.endsWith('.d.ts'))
    .filter((path) => existsSync(join(root, path)))
    .map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

/** What a file imports: every specifier it names, and the imports whose target is computed. */
export interface FileImports {
  readonly specifiers: string[];
  /** `import(x)` or `require(x)` with an argument that is not a string literal. */
  readonly computed: string[];
}

/**
 * Every module specifier a file names: static imports, re-exports, `import()` (in code and in
 * types), `require()` and the functions `createRequire` makes.
 */
export function importsOf(file: SourceFile): FileImports {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const computed: string[] = [];
  const requireNames = new Set(['require']);
  const literal = (node: ts.Node | undefined): string | undefined =>
    node !== undefined && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node))
      ? node.text
      : undefined;
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const named = literal(node.argument.literal);
      if (named !== undefined) specifiers.push(named);
    } else if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer !== undefined &&
      ts.isCallExpression(node.initializer) &&
      node.initializer.expression.getText(source) === 'createRequire'
    ) {
      requireNames.add(node.name.text);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const loads =
        callee.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(callee) && requireNames.has(callee.text));
      if (loads) {
        const named = literal(node.arguments[0]);
        if (named !== undefined) specifiers.push(named);
        else computed.push(node.getText(source));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { specifiers, computed };
}

/**
 * The file a specifier names, or undefined for a package. `aliases` is package.json's
 * `"imports"` (exact keys, and keys ending in `*`).
 */
export function resolveSpecifier(
  from: string,
  specifier: string,
  aliases: Readonly<Record<string, string>>,
  exists: (path: string) => boolean,
): string | undefined {
  let target: string | undefined;
  if (specifier.startsWith('.')) {
    target = normalize(join(dirname(from), specifier));
  } else if (specifier.startsWith('#')) {
    for (const [key, value] of Object.entries(aliases)) {
      if (key === specifier) target = normalize(value);
      else if (key.endsWith('*') && specifier.startsWith(key.slice(0, -1))) {
        target = normalize(value.replace('*', specifier.slice(key.length - 1)));
      }
    }
  }
  if (target === undefined) return undefined;
  const candidates = [target, target.replace(/\.js$/, '.ts'), `${target}.ts`, `${target}/index.ts`];
  return candidates.find(exists);
}

/** Arrows between folders (a file's folder to the folder of each file it imports). */
export function folderArrows(fileArrows: ReadonlyMap<string, ReadonlySet<string>>) {
  const arrows = new Map<string, Set<string>>();
  for (const [from, targets] of fileArrows) {
    for (const to of targets) {
      if (dirname(from) === dirname(to)) continue;
      const set = arrows.get(dirname(from)) ?? new Set<string>();
      set.add(dirname(to));
      arrows.set(dirname(from), set);
    }
  }
  return arrows;
}

/** The loops of a graph: its strongly connected components of more than one node (Tarjan). */
export function loopsOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) as number);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) loops.push(component.sort());
    }
  };
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((s) => [...s])]);
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return loops;
}

export interface FunctionSize {
  readonly where: string;
  readonly name: string;
  readonly lines: number;
}

/** Every function, method, constructor and arrow function with a body, by its lines. */
export function functionSizes(file: SourceFile): FunctionSize[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
  const sizes: FunctionSize[] = [];
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const named = node as ts.Node & { name?: ts.Node; parent: ts.Node & { name?: ts.Node } };
      const name = ts.isConstructorDeclaration(node)
        ? 'constructor'
        : (named.name?.getText(source) ?? named.parent.name?.getText(source) ?? '(anonymous)');
      const start = lineOf(node.getStart(source));
      sizes.push({
        where: `${file.path}:${start + 1}`,
        name,
        lines: lineOf(node.end) - start + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sizes;
}

export interface TreeStructure {
  readonly fileArrows: Map<string, Set<string>>;
  readonly folderLoops: string[][];
  readonly fileLoops: string[][];
  /** Imports whose specifier starts with `../`: each leaves its folder by a relative path. */
  readonly parentRelativeImports: { readonly from: string; readonly specifier: string }[];
  readonly largestFunctions: FunctionSize[];
  /** `import(x)` / `require(x)` whose target is computed, so no check can follow it. */
  readonly computedImports: { readonly from: string; readonly call: string }[];
  /** File arrows between modules that `MODULE_ARROWS` does not allow. */
  readonly wrongWayArrows: { readonly from: string; readonly to: string }[];
}

export function measureTree(root: string): TreeStructure {
  const aliases = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).imports ?? {};
  const files = productionFiles(root);
  const known = new Set(files.map((f) => f.path));
  const fileArrows = new Map<string, Set<string>>();
  const parentRelativeImports: { from: string; specifier: string }[] = [];
  const computedImports: { from: string; call: string }[] = [];
  for (const file of files) {
    const targets = new Set<string>();
    const { specifiers, computed } = importsOf(file);
    for (const call of computed) computedImports.push({ from: file.path, call });
    for (const specifier of specifiers) {
      if (specifier.startsWith('../')) parentRelativeImports.push({ from: file.path, specifier });
      const target = resolveSpecifier(file.path, specifier, aliases, (p) => known.has(p));
      if (target !== undefined && target !== file.path) targets.add(target);
    }
    fileArrows.set(file.path, targets);
  }
  return {
    fileArrows,
    folderLoops: loopsOf(folderArrows(fileArrows)),
    fileLoops: loopsOf(fileArrows),
    parentRelativeImports,
    largestFunctions: files.flatMap(functionSizes).sort((a, b) => b.lines - a.lines),
    computedImports,
    wrongWayArrows: wrongWayArrows(fileArrows),
  };
}

/**
 * The modules of the production tree, most specific prefix first, and the modules each may
 * import: the arrows of docs/architecture.md ("Module faces and the way arrows point"), checked
 * here from the code itself, apart from Biome's per-folder rules. A folder no prefix names is
 * a module of its own that may import nothing (so a new folder needs a row).
 */
export const MODULES: readonly (readonly [prefix: string, module: string])[] = [
  ['edge-client/src/contract/', 'contract'],
  ['edge-client/src/wire/', 'wire'],
  ['edge-client/src/utils/', 'utils'],
  ['edge-client/src/simulator/', 'simulator'],
  ['edge-client/src/', 'edge-client'],
  ['functions/domain/', 'domain'],
  ['functions/shared/', 'shared'],
  ['functions/adapters/', 'adapters'],
  ['functions/processor/', 'processor'],
  ['functions/impact-api/schemas.ts', 'api-schemas'],
  ['functions/impact-api/', 'impact-api'],
  ['functions/ops-api/', 'ops-api'],
  ['functions/fleet-watch/', 'fleet-watch'],
  ['functions/mcp/', 'mcp'],
  ['functions/archive/', 'archive'],
  ['infra/cdk/', 'cdk'],
  ['infra/local/', 'local'],
  ['infra/dashboard/src/', 'dashboard'],
  ['infra/dashboard/', 'dashboard-build'],
  ['infra/tools/', 'tools'],
];

const BOTTOM = ['contract', 'wire', 'utils'];
const FUNCTIONS = [
  'domain',
  'shared',
  'adapters',
  'processor',
  'impact-api',
  'ops-api',
  'fleet-watch',
  'api-schemas',
];

export const MODULE_ARROWS: Readonly<Record<string, readonly string[]>> = {
  contract: [],
  wire: ['contract'],
  utils: [],
  simulator: ['contract', 'utils'],
  'edge-client': BOTTOM.concat('simulator'),
  domain: ['contract', 'wire'],
  shared: ['domain', 'contract'],
  adapters: ['domain', 'shared', 'contract', 'utils'],
  processor: ['domain', 'shared', 'adapters', 'contract', 'wire', 'utils'],
  'api-schemas': ['impact-api'],
  'impact-api': ['domain', 'shared', 'adapters', 'contract', 'utils', 'api-schemas'],
  // The ops API stands beside the impact API (the shared pieces are in shared/); its replay
  // runs the archive's replay through the processor's own dependencies.
  'ops-api': ['processor', 'archive', 'domain', 'shared', 'adapters', 'contract', 'api-schemas'],
  // The fleet watch reads the coverage summaries through the adapters.
  'fleet-watch': ['domain', 'shared', 'adapters'],
  // The MCP server shares the API's token claims and schemas, and sends through the edge client.
  mcp: ['impact-api', 'api-schemas', 'shared', 'domain', 'contract', 'edge-client', 'utils'],
  // The archive's rebuild replays through the processor.
  archive: ['processor', 'domain', 'shared', 'adapters', 'contract', 'wire', 'utils'],
  cdk: [
    'processor',
    'impact-api',
    'fleet-watch',
    // The MCP endpoint's paths (its route, its RFC 9728 metadata), named once in the server.
    'mcp',
    'shared',
    'domain',
    'dashboard-build',
    'contract',
  ],
  local: [...FUNCTIONS, 'mcp', 'archive', 'edge-client', 'simulator', 'dashboard-build', ...BOTTOM],
  dashboard: ['api-schemas'],
  'dashboard-build': [],
  tools: [...FUNCTIONS, 'archive', 'cdk', 'local', 'edge-client', 'simulator', ...BOTTOM],
};

/** The module a production file belongs to (see `MODULES`). */
export function moduleOf(path: string): string {
  const found = MODULES.find(([prefix]) => path === prefix || path.startsWith(prefix));
  return found?.[1] ?? dirname(path);
}

/** File arrows from one module to another that `MODULE_ARROWS` does not allow. */
export function wrongWayArrows(
  fileArrows: ReadonlyMap<string, ReadonlySet<string>>,
  allowed: Readonly<Record<string, readonly string[]>> = MODULE_ARROWS,
): { from: string; to: string }[] {
  const wrong: { from: string; to: string }[] = [];
  for (const [from, targets] of fileArrows) {
    for (const to of targets) {
      const a = moduleOf(from);
      const b = moduleOf(to);
      if (a !== b && !(allowed[a] ?? []).includes(b)) wrong.push({ from, to });
    }
  }
  return wrong;
}
