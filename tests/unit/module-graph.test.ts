import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  folderArrows,
  importsOf,
  loopsOf,
  MODULE_ARROWS,
  measureTree,
  moduleOf,
  resolveSpecifier,
  wrongWayArrows,
} from '../helpers/module-graph.js';

const ROOT = process.cwd();
const ALIASES: Record<string, string> = JSON.parse(readFileSync('package.json', 'utf8')).imports;

describe('Module graph of the production tree', () => {
  const tree = measureTree(ROOT);

  it('has no folder that imports a folder importing it back, and no file-level loop', () => {
    expect(tree.fileArrows.size).toBeGreaterThan(100);
    expect(tree.folderLoops).toEqual([]);
    expect(tree.fileLoops).toEqual([]);
  });

  it('leaves a folder by a relative path only inside the edge client', () => {
    const outside = tree.parentRelativeImports.filter((i) => !i.from.startsWith('edge-client/'));
    expect(outside).toEqual([]);
  });

  it('has every arrow between modules point the way docs/architecture.md draws it', () => {
    expect(tree.wrongWayArrows).toEqual([]);
  });

  it('names every import: no import() or require() with a computed target', () => {
    expect(tree.computedImports).toEqual([]);
  });

  it('places every production file in a module the arrow table knows', () => {
    const unknown = [...tree.fileArrows.keys()].filter((f) => !(moduleOf(f) in MODULE_ARROWS));
    expect(unknown).toEqual([]);
  });

  it('has every package.json alias pointing at a file that exists', () => {
    for (const [alias, target] of Object.entries(ALIASES)) {
      const probe = target.includes('*') ? target.slice(0, target.indexOf('*')) : target;
      expect(existsSync(probe), `${alias} -> ${target}`).toBe(true);
    }
  });
});

describe('Module graph helpers (negative controls)', () => {
  it('finds a loop between two folders, and none once the arrow back is gone', () => {
    const files = new Map([
      ['a/x.ts', new Set(['b/y.ts'])],
      ['b/y.ts', new Set<string>()],
      ['b/z.ts', new Set(['a/w.ts'])],
      ['a/w.ts', new Set<string>()],
    ]);
    expect(loopsOf(folderArrows(files))).toEqual([['a', 'b']]);
    files.set('b/z.ts', new Set());
    expect(loopsOf(folderArrows(files))).toEqual([]);
  });

  it('resolves relative paths, exact aliases and wildcard aliases to files', () => {
    const known = new Set(['functions/domain/counters.ts', 'functions/processor/index.ts']);
    const exists = (p: string) => known.has(p);
    const aliases = {
      '#domain/*': './functions/domain/*.ts',
      '#processor': './functions/processor/index.ts',
    };
    expect(resolveSpecifier('functions/x/a.ts', '../domain/counters.js', aliases, exists)).toBe(
      'functions/domain/counters.ts',
    );
    expect(resolveSpecifier('infra/a.ts', '#domain/counters', aliases, exists)).toBe(
      'functions/domain/counters.ts',
    );
    expect(resolveSpecifier('infra/a.ts', '#processor', aliases, exists)).toBe(
      'functions/processor/index.ts',
    );
    expect(resolveSpecifier('infra/a.ts', 'zod', aliases, exists)).toBeUndefined();
  });

  it('reads imports, re-exports, import() in code and types, require and createRequire', () => {
    const text = [
      "import { a } from './a.js';",
      "export { b } from '#b';",
      "const c = await import('../c.js');",
      'const d = await import(`#d`);',
      "type E = import('#e').E;",
      "import { createRequire } from 'node:module';",
      'const load = createRequire(import.meta.url);',
      "const f = load('../f.ts');",
      "const g = require('g');",
      'const h = await import(String(c));',
      'export const all = [a, c, d, f, g, h];',
    ].join('\n');
    expect(importsOf({ path: 'x/y.ts', text })).toEqual({
      specifiers: ['./a.js', '#b', '../c.js', '#d', '#e', 'node:module', '../f.ts', 'g'],
      computed: ['import(String(c))'],
    });
  });

  it('flags an arrow the table does not allow, and lets an allowed one through', () => {
    const arrows = new Map([
      ['functions/domain/fold-events.ts', new Set(['functions/adapters/index.ts'])],
      ['functions/processor/handler.ts', new Set(['functions/adapters/index.ts'])],
      ['functions/billing/new.ts', new Set(['functions/domain/counters.ts'])],
    ]);
    expect(wrongWayArrows(arrows)).toEqual([
      { from: 'functions/domain/fold-events.ts', to: 'functions/adapters/index.ts' },
      { from: 'functions/billing/new.ts', to: 'functions/domain/counters.ts' },
    ]);
  });
});
