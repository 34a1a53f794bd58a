import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ResourceServerModule } from 'nest-resource-server';
import { TestIssuer } from 'nest-resource-server/testing';
import { AUDIENCE, AppModule } from '../src/app.module';

describe('nest-resource-server installed in a Nest 11 app', () => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let base: string;
  const get = (path: string, token?: string) =>
    fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: AUDIENCE });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forIssuer(issuer.url)] }).compile();
    app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  it('loads the module from the package', () => {
    expect(typeof ResourceServerModule.forRoot).toBe('function');
  });

  it('answers 401 with a Bearer challenge without a token', async () => {
    const response = await get('/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"/);
  });

  it('answers 200 with the claims for a valid token', async () => {
    const response = await get('/me', issuer.token({ claims: { sub: 'alice' } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sub: 'alice' });
  });

  it('answers 200 on a @Public() route without a token', async () => {
    const response = await get('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 403 insufficient_scope when the token lacks the scope', async () => {
    const response = await get('/admin', issuer.token({ claims: { scope: 'todo:read' } }));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    const allowed = await get('/admin', issuer.token({ claims: { scope: 'todo:write' } }));
    expect(allowed.status).toBe(200);
  });
});
