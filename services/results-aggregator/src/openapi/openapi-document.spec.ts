import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DocsController } from '../http/docs.controller';
import { JobsController } from '../http/jobs.controller';
import { openApiDocument } from './openapi-document';

/** `METHOD /path` of every route a controller declares, with `:id` written as OpenAPI's `{id}`. */
function routesOf(controller: new (...args: never[]) => unknown): string[] {
  const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
  const proto = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto).flatMap((name) => {
    const handler = proto[name];
    const path = Reflect.getMetadata(PATH_METADATA, handler as object) as string | undefined;
    const method = Reflect.getMetadata(METHOD_METADATA, handler as object) as RequestMethod | undefined;
    if (path === undefined || method === undefined) return [];
    const full = `/${[base, path].filter((p) => p !== '/' && p !== '').join('/')}`.replace(/:(\w+)/g, '{$1}');
    return [`${RequestMethod[method].toLowerCase()} ${full}`];
  });
}

describe('OpenAPI document', () => {
  it('documents exactly the routes the controllers serve', () => {
    const doc = openApiDocument as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    const served = [...routesOf(JobsController), ...routesOf(DocsController)];
    expect(served.sort()).toEqual(documented.sort());
  });

  it('resolves every $ref', () => {
    const text = JSON.stringify(openApiDocument);
    const schemas = (openApiDocument as { components: { schemas: Record<string, unknown> } }).components.schemas;
    const refs = [...text.matchAll(/"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1] ?? '');
    expect(refs.filter((r) => !(r in schemas))).toEqual([]);
  });
});
