import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestIssuer } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { HelpApiModule } from '../src/help-api.module.js';

const RESOURCE = 'https://help.example.com';

describe.each(['express', 'fastify'])('help-api with OAUTH_RESOURCE (HTTP_PLATFORM=%s)', (platform) => {
  let issuer: TestIssuer;
  let api: RunningApp;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'help-api' });
    api = await startSampleApp(
      (o) => HelpApiModule.forRoot(o),
      { port: 3002, audience: 'help-api' },
      { OAUTH_ISSUER: issuer.url, HTTP_PLATFORM: platform, OAUTH_RESOURCE: RESOURCE },
    );
  });
  afterAll(async () => {
    await api?.close();
    await issuer?.close();
  });

  it('lists the scopes its own routes require', async () => {
    const response = await fetch(`${api.url}/.well-known/oauth-protected-resource`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      resource: RESOURCE,
      authorization_servers: [issuer.url],
      bearer_methods_supported: ['header'],
      scopes_supported: ['help:write'],
    });
  });

  it('names the metadata in the 401 challenge', async () => {
    const response = await fetch(`${api.url}/tickets`);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="help-api", resource_metadata="${RESOURCE}/.well-known/oauth-protected-resource"`,
    );
  });
});
