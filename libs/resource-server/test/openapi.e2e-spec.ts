import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Validator } from '@seriousme/openapi-schema-validator';
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

  it('gives each protected route its scopes in the OAuth scheme (OpenAPI 3.0 allows them nowhere else), and @Public() routes none', async () => {
    const document = await documentOf(true);
    expect(operation(document, '/two-scopes', 'get').security).toEqual([
      { bearer: [] },
      { cookie: [] },
      { oauth2: ['a:read', 'a:write'] },
    ]);
    // class-level scopes combine with the handler's, as the guard combines them
    expect(operation(document, '/b', 'delete').security).toContainEqual({ oauth2: ['b:read', 'b:write'] });
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
      { bearer: [] },
      { oauth2: ['a:read', 'a:write'] },
    ]);
  });

  it('is a valid OpenAPI 3.0 document, whose requirements list scopes only for OAuth schemes', async () => {
    const document = await documentOf(true);
    const result = await new Validator().validate(structuredClone(document) as unknown as Record<string, unknown>);
    expect(result).toEqual({ valid: true });
    // §4.7.30, which the specification's JSON schema cannot say: "for other security scheme
    // types, the array MUST be empty"
    const schemes = document.components!.securitySchemes as Record<string, { type: string }>;
    const requirements = Object.values(document.paths)
      .flatMap((item) => Object.values(item as Record<string, Operation>))
      .flatMap((op) => op.security ?? []);
    expect(requirements.length).toBeGreaterThan(5);
    for (const requirement of requirements) {
      for (const [name, scopes] of Object.entries(requirement)) {
        if (!['oauth2', 'openIdConnect'].includes(schemes[name]!.type)) expect([name, scopes]).toEqual([name, []]);
      }
    }
  });

  it('under OpenAPI 3.1, lists the scopes on the bearer requirement too (3.1 allows role names there)', async () => {
    app = await createProbeApp({ issuer: issuer.url, audience: 'api' }, { platform });
    const config = { ...new DocumentBuilder().setTitle('probe').build(), openapi: '3.1.0' };
    const document = await createResourceServerDocument(app, config, { discovery: false });
    expect(operation(document, '/two-scopes', 'get').security).toEqual([
      { bearer: ['a:read', 'a:write'] },
      { cookie: [] },
    ]);
  });

  it('adds nothing twice when a second document is built, and leaves no metadata behind', async () => {
    app = await createProbeApp({ issuer: issuer.url, audience: 'api' }, { platform });
    const build = () => createResourceServerDocument(app!, new DocumentBuilder().build(), { discovery: false });
    await build();
    const second = await build();
    expect(operation(second, '/two-scopes', 'get').security).toEqual([{ bearer: [] }, { cookie: [] }]);
    expect(operation(second, '/two-scopes', 'get').responses['403']).toMatchObject({
      description: expect.stringContaining('a:read, a:write'),
    });
    // a plain document of the same app knows nothing of the guard
    const plain = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(operation(plain, '/two-scopes', 'get').security).toBeUndefined();
    expect(operation(plain, '/two-scopes', 'get').responses['401']).toBeUndefined();
  });
});
