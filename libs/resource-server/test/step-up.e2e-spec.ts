import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Delete, Get, type INestApplication } from '@nestjs/common';
import { RequireAuthentication, RequireRole, RequireScope } from 'nest-resource-server';
import { stepUpClaims, TestIssuer } from 'nest-resource-server/testing';
import request from 'supertest';
import { createProbeApp, PLATFORMS } from './support/probe-app.js';

/** Routes asking for a step-up (RFC 9470), alone and after a scope or a role. */
@Controller('step-up')
class StepUpController {
  @RequireScope('s:write')
  @RequireAuthentication({ acr: ['mfa'], maxAgeSeconds: 300 })
  @Delete()
  both(): string {
    return 'deleted';
  }

  @RequireAuthentication({ maxAgeSeconds: 60 })
  @Get('recent')
  recent(): string {
    return 'recent';
  }

  @RequireRole('admin')
  @RequireAuthentication({ acr: ['hwk', 'mfa'] })
  @Get('admin')
  admin(): string {
    return 'admin';
  }
}

const NOW_MS = Date.UTC(2026, 0, 1);
const NOW_S = NOW_MS / 1000;
const REALM = 'Bearer realm="probe", error="insufficient_user_authentication"';
const stronger = `${REALM}, error_description="a stronger authentication is required"`;
const recent = `${REALM}, error_description="a more recent authentication is required"`;

describe.each(PLATFORMS)('step-up authentication, RFC 9470 (%s)', (platform) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  const clock = () => NOW_MS;

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe', clock });
    app = await createProbeApp(
      { issuer: issuer.url, audience: 'probe', clock, clockToleranceSeconds: 30 },
      { platform, controllers: [StepUpController] },
    );
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  const send = (method: 'get' | 'delete', path: string, claims: Record<string, unknown>) => {
    const server = request(app.getHttpServer());
    const call = method === 'get' ? server.get(path) : server.delete(path);
    return call.set('authorization', `Bearer ${issuer.token({ claims })}`);
  };
  const write = (claims: Record<string, unknown>) => send('delete', '/step-up', { scope: 's:write', ...claims });

  it.each<[string, Record<string, unknown>, string]>([
    ['the acr is wrong', { acr: 'pwd', auth_time: NOW_S }, `${stronger}, acr_values="mfa"`],
    ['there is no acr', { auth_time: NOW_S }, `${stronger}, acr_values="mfa"`],
    ['auth_time is too old', { acr: 'mfa', auth_time: NOW_S - 331 }, `${recent}, max_age=300`],
    ['there is no auth_time', { acr: 'mfa' }, `${recent}, max_age=300`],
    ['both fall short', { acr: 'pwd', auth_time: NOW_S - 3600 }, `${stronger}, acr_values="mfa", max_age=300`],
  ])('answers 401 insufficient_user_authentication when %s', async (_case, claims, challenge) => {
    const response = await write(claims).expect(401);
    expect(response.headers['www-authenticate']).toBe(challenge);
    expect(response.body).toMatchObject({
      statusCode: 401,
      error: 'insufficient_user_authentication',
      reason: 'authentication_insufficient',
    });
    expect(typeof response.body.error_description).toBe('string');
  });

  it('admits a token with the scope, acr mfa and a recent auth_time', async () => {
    await write(stepUpClaims({ authenticatedSecondsAgo: 299, clock })).expect(200, 'deleted');
  });

  it('allows the clock tolerance on the age of auth_time', async () => {
    await write(stepUpClaims({ authenticatedSecondsAgo: 330, clock })).expect(200);
  });

  it('checks the scope first: a missing scope stays the 403', async () => {
    const response = await send('delete', '/step-up', { scope: 'openid', acr: 'pwd' }).expect(403);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="probe", error="insufficient_scope", scope="s:write"',
    );
    expect(response.body.reason).toBe('scope_missing');
  });

  it('checks a role before the authentication', async () => {
    const response = await send('get', '/step-up/admin', { roles: ['user'], acr: 'pwd' }).expect(403);
    expect(response.body.reason).toBe('role_missing');
  });

  it('names every acceptable acr in order of preference', async () => {
    const response = await send('get', '/step-up/admin', { roles: ['admin'], acr: 'pwd' }).expect(401);
    expect(response.headers['www-authenticate']).toBe(`${stronger}, acr_values="hwk mfa"`);
  });

  it('asks only for max_age on a route without acr', async () => {
    const old = await send('get', '/step-up/recent', { acr: 'pwd', auth_time: NOW_S - 120 }).expect(401);
    expect(old.headers['www-authenticate']).toBe(`${recent}, max_age=60`);
    await send('get', '/step-up/recent', { acr: 'pwd', auth_time: NOW_S - 60 }).expect(200, 'recent');
  });

  it('leaves routes without a step-up alone', async () => {
    await send('get', '/claims', { acr: 'pwd' }).expect(200);
  });
});
