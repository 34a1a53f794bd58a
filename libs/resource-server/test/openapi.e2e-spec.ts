import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { createResourceServerDocument, REJECTION_SCHEMA } from 'nest-resource-server/openapi';
import { TestIssuer } from 'nest-resource-server/testing';
import { createProbeApp, PLATFORMS } from './support/probe-app.js';

// The OpenAPI document describes what the guard does, read from the same decorators:
// schemes, each protected route's requirement with its scopes, no requirement on @Public().

type Operation = { security?: Record<string, string[]>[]; responses: Record<string, unknown> };

const operation = (document: OpenAPIObject, path: string, method: string): Operation =>
  (document.paths[path] as Record<string, Operation>)[method]!;

describe.each(PLATFORMS)('OpenAPI document on %s', (platform) => {
  let issuer: TestIssuer;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'api' });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => issuer.close());

  async function documentOf(global: boolean, cookieName?: string | false): Promise<OpenAPIObject> {
    app = await createProbeApp(
      { issuer: issuer.url, audience: 'api', ...(cookieName === undefined ? {} : { cookieName }) },
      { platform, global },
    );
    return createResourceServerDocument(app, new DocumentBuilder().setTitle('probe').build());
  }

  it('declares the bearer and cookie schemes, and the issuer by its discovery URL when it offers no OAuth endpoints', async () => {
    const document = await documentOf(true);
    expect(document.components?.securitySchemes).toEqual({
      bearer: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }),
      cookie: expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'app.at' }),
      // the test issuer's discovery has no authorization or token endpoint
      oauth2: { type: 'openIdConnect', openIdConnectUrl: `${issuer.url}/.well-known/openid-configuration` },
    });
    expect(document.components?.schemas?.[REJECTION_SCHEMA]).toMatchObject({
      properties: { reason: { enum: expect.arrayContaining(['token_expired', 'csrf_rejected', 'scope_missing']) } },
    });
  });

  it('gives each protected route its scopes in every scheme but the cookie, and @Public() routes none', async () => {
    const document = await documentOf(true);
    expect(operation(document, '/two-scopes', 'get').security).toEqual([
      { bearer: ['a:read', 'a:write'] },
      { cookie: [] },
      { oauth2: ['a:read', 'a:write'] },
    ]);
    // class-level scopes combine with the handler's, as the guard combines them
    expect(operation(document, '/b', 'delete').security).toContainEqual({ bearer: ['b:read', 'b:write'] });
    expect(operation(document, '/claims', 'get').security).toContainEqual({ bearer: [] });
    expect(operation(document, '/public', 'get').security).toBeUndefined();
    expect(operation(document, '/b/open', 'get').security).toBeUndefined();
  });

  it('documents 401 on every protected route and 403 only where a valid token can still fall short', async () => {
    const document = await documentOf(true);
    const ref = { $ref: `#/components/schemas/${REJECTION_SCHEMA}` };
    expect(operation(document, '/claims', 'get').responses['401']).toMatchObject({
      content: { 'application/json': { schema: ref } },
    });
    expect(operation(document, '/claims', 'get').responses['403']).toBeUndefined();
    expect(operation(document, '/two-scopes', 'get').responses['403']).toMatchObject({
      description: expect.stringContaining('a:read, a:write'),
    });
    expect(operation(document, '/any-role', 'get').responses['403']).toBeDefined();
    expect(operation(document, '/public', 'get').responses['401']).toBeUndefined();
  });

  it('without the global guard, documents only the routes that use it', async () => {
    const document = await documentOf(false);
    expect(operation(document, '/guarded', 'get').security).toContainEqual({ bearer: [] });
    expect(operation(document, '/unguarded', 'get').security).toBeUndefined();
    expect(operation(document, '/claims', 'get').security).toBeUndefined();
  });

  it('leaves the cookie scheme out when cookie intake is off', async () => {
    const document = await documentOf(true, false);
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual(['bearer', 'oauth2']);
    expect(operation(document, '/two-scopes', 'get').security).toEqual([
      { bearer: ['a:read', 'a:write'] },
      { oauth2: ['a:read', 'a:write'] },
    ]);
  });

  it('adds nothing twice when a second document is built, and leaves no metadata behind', async () => {
    app = await createProbeApp({ issuer: issuer.url, audience: 'api' }, { platform });
    const build = () => createResourceServerDocument(app!, new DocumentBuilder().build(), { discovery: false });
    await build();
    const second = await build();
    expect(operation(second, '/two-scopes', 'get').security).toEqual([
      { bearer: ['a:read', 'a:write'] },
      { cookie: [] },
    ]);
    // a plain document of the same app knows nothing of the guard
    const plain = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(operation(plain, '/two-scopes', 'get').security).toBeUndefined();
    expect(operation(plain, '/two-scopes', 'get').responses['401']).toBeUndefined();
  });
});
