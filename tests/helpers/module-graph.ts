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
  const listed = execFileSync('git', ['ls-files', ...PRODUCTION_ROOTS], {
    cwd: root,
    encoding: 'utf8',
  });
  return listed
    .split('\n')
    .filter((path) => /\.tsx?$/.test(path) && !path.endsWith('.d.ts'))
    .filter((path) => existsSync(join(root, path)))
    .map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));
}

/** Every module specifier a file names: static imports, re-exports and dynamic imports. */
export function specifiersOf(file: SourceFile): string[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
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
}

export function measureTree(root: string): TreeStructure {
  const aliases = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).imports ?? {};
  const files = productionFiles(root);
  const known = new Set(files.map((f) => f.path));
  const fileArrows = new Map<string, Set<string>>();
  const parentRelativeImports: { from: string; specifier: string }[] = [];
  for (const file of files) {
    const targets = new Set<string>();
    for (const specifier of specifiersOf(file)) {
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
  };
}
