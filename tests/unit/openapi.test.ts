import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/impact-api/openapi.js';
import { ROUTES } from '../../functions/impact-api/routes.js';

type Doc = {
  openapi: string;
  components: { schemas: Record<string, unknown> };
  paths: Record<
    string,
    Record<
      string,
      {
        parameters: { name: string; in: string; required: boolean }[];
        security?: unknown[];
        requestBody?: { required: boolean; content: Record<string, { schema: unknown }> };
        responses: Record<string, unknown>;
      }
    >
  >;
};

describe('Function: openApiDocument', () => {
  const doc = openApiDocument() as Doc;

  it('documents every route, with its path and query parameters', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      expect(doc.paths[route.path]?.[route.method.toLowerCase()], route.path).toBeDefined();
    }
    const shrink = doc.paths['/v1/stores/{storeId}/shrink']?.get;
    expect(shrink?.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['storeId', 'path', true],
      ['from', 'query', true],
      ['to', 'query', true],
      ['granularity', 'query', false],
    ]);
  });

  it("documents the replay's JSON body and its 409 for a stale confirmation", () => {
    const replay = doc.paths['/v1/ops/dead-letters/replay']?.post;
    expect(replay?.requestBody?.required).toBe(true);
    expect(replay?.requestBody?.content['application/json']?.schema).toBeDefined();
    expect(Object.keys(replay?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '403', '409']),
    );
    expect(Object.keys(doc.paths['/v1/ops/pipeline-status']?.get?.responses ?? {})).not.toContain(
      '409',
    );
  });

  it('resolves every $ref inside the document', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      expect(doc.components.schemas).toHaveProperty([ref.slice('#/components/schemas/'.length)]);
    }
  });

  it('marks only the documentation routes public', () => {
    const publicPaths = Object.entries(doc.paths)
      .filter(([, ops]) => Array.isArray(ops.get?.security) && ops.get?.security.length === 0)
      .map(([path]) => path);
    expect(publicPaths.sort()).toEqual(['/docs', '/openapi.json']);
  });
});
