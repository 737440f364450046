import * as z from 'zod';
import { Problem } from './response-schemas.js';
import { ROUTES, type RouteDefinition } from './routes.js';

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

/** Named schemas (zod `.meta({ id })`) collected for `components.schemas`. */
const components: Record<string, JsonSchema> = {};

/**
 * A zod schema as JSON Schema 2020-12. Named sub-schemas move to `components.schemas`, and
 * their references are rewritten to point there, as OpenAPI 3.1 resolves them from the
 * document root.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });
  const rewritten = JSON.parse(
    JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  const { $schema: _draft, id: _id, $defs, ...rest } = rewritten;
  for (const [name, def] of Object.entries($defs ?? {})) {
    const { id: _defId, ...body } = def;
    components[name] = body;
  }
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path') {
  if (schema === undefined) return [];
  const s = jsonSchema(schema, 'input');
  return Object.entries(s.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    ...(typeof property.description === 'string' && { description: property.description }),
    schema: property,
  }));
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/**
 * The OpenAPI 3.1 document of the impact API, generated from the route list and the zod
 * schemas the handler parses requests with and types its answers by: there is no hand-written
 * copy to fall out of date.
 */
let document: Record<string, unknown> | undefined;
let page: string | undefined;

/** The document, built once per execution environment: it only depends on the code. */
export function openApiDocument(): Record<string, unknown> {
  document ??= buildOpenApiDocument();
  return document;
}

function buildOpenApiDocument(): Record<string, unknown> {
  jsonSchema(Problem, 'output');
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES as readonly RouteDefinition[]) {
    const operation: Record<string, unknown> = {
      summary: route.summary,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
      parameters: [...parameters(route.pathParams, 'path'), ...parameters(route.query, 'query')],
      ...(route.body !== undefined && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
        },
      }),
      responses: {
        200:
          route.response === undefined
            ? { description: 'OK' }
            : {
                description: 'OK',
                content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
              },
        400: problem('Invalid or unknown parameters, each named (a cursor of another query too)'),
        ...(route.auth && {
          401: { description: 'No valid bearer token' },
          403: problem(
            route.function === 'ops-api'
              ? 'Not an operator token (the ops routes answer operators only)'
              : "Outside the token's scope (or an operator's or automation's token, which reads no figures)",
          ),
          404: problem(
            route.function === 'ops-api' ? 'No such dead letter' : 'No such store or team',
          ),
        }),
        ...(route.method === 'POST' && {
          409: problem(
            'The confirmation is missing or stale: the selection changed since the dry run; dry-run again',
          ),
        }),
        429: { description: 'Rate limit exceeded' },
        500: problem('Unexpected error; the request id identifies the logs'),
      },
      ...(route.auth ? {} : { security: [] }),
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Store-floor impact API',
      version: '1.0.0',
      description:
        "Shrink caught and prevented, store by store and day by day, and staff hours saved by on-call automation. Money is integer cents of `currency`. Dates are inclusive calendar dates. The /v1/ops routes are the pipeline operators' own (operator tokens only): dead letters, the records that can never count; no payload is ever stored.",
    },
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ...components },
    },
    paths,
  };
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string,
  );

/**
 * The docs page's one inline style, and all it loads besides its own HTML (no script, no
 * external asset): CloudFront's content security policy for the API paths allows exactly this
 * style by its hash.
 */
export const DOCS_STYLE =
  'body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code,pre{font-size:13px}pre{background:#f4f4f4;padding:.5rem;overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}.m{background:#0a6;color:#fff;padding:0 .4rem;border-radius:3px}';

/** A readable, self-contained HTML page of the OpenAPI document (no external assets). */
export function docsPage(): string {
  page ??= buildDocsPage();
  return page;
}

function buildDocsPage(): string {
  const doc = openApiDocument() as {
    info: { title: string; description: string };
    paths: Record<
      string,
      Record<
        string,
        {
          summary: string;
          parameters: {
            name: string;
            in: string;
            required: boolean;
            description?: string;
            schema: unknown;
          }[];
          responses: Record<
            string,
            { description: string; content?: Record<string, { schema: unknown }> }
          >;
        }
      >
    >;
  };
  const sections = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const params = op.parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : ''}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code>${p.description === undefined ? '' : ` ${escapeHtml(p.description)}`}</td></tr>`,
        )
        .join('');
      const responses = Object.entries(op.responses)
        .map(
          ([status, r]) =>
            `<li><b>${status}</b> ${escapeHtml(r.description)}${r.content?.['application/json'] === undefined ? '' : `<details><summary>schema</summary><pre>${escapeHtml(JSON.stringify(r.content['application/json'].schema, null, 2))}</pre></details>`}</li>`,
        )
        .join('');
      return `<section><h2><span class="m">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2><p>${escapeHtml(op.summary)}</p>${params === '' ? '' : `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${params}</table>`}<ul>${responses}</ul></section>`;
    }),
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)}</title><style>${DOCS_STYLE}</style></head><body><h1>${escapeHtml(doc.info.title)}</h1><p>${escapeHtml(doc.info.description)}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Every <code>/v1</code> route needs <code>Authorization: Bearer &lt;JWT&gt;</code>.</p>${sections.join('')}</body></html>`;
}
