import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { runToExit, spawnApp } from '../../../test/support/spawn-app.js';

// like test/start-commands.e2e-spec.ts: runs the build output as an operator would (`npm test` builds first)
describe('npm run start:auth-server (from the build)', () => {
  beforeAll(() => {
    if (!existsSync('dist/apps/auth-server/src/main.js')) throw new Error('run `npm run build` first (npm test does)');
  });

  it('serves discovery for AUTH_ISSUER and says where it is listening', async () => {
    // a public issuer in front of the port it got (PORT=0), as behind a reverse proxy
    const issuer = 'https://auth.example.test';
    const app = await spawnApp('auth-server', { AUTH_ISSUER: issuer });
    try {
      expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(app.url).not.toBe('http://127.0.0.1:0');
      const metadata = (await (await fetch(`${app.url}/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      };
      expect(metadata.issuer).toBe(issuer);
    } finally {
      await app.stop();
    }
  });

  it.each([
    ['ACCESS_TOKEN_TTL', 'soon'],
    ['PORT', 'eighty'],
    ['AUTH_ISSUER', 'localhost'],
    ['WEB_ORIGIN', 'http://localhost:3000/app'],
  ])('exits 1 with one line naming %s for %j', async (name, value) => {
    const { code, output } = await runToExit('auth-server', { [name]: value });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^auth-server: configuration error: ${name}: `)),
    ]);
  });
});
