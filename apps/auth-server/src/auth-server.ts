import { createPublicKey, generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { AuthServerConfig } from './auth-server-config.js';
import { DevOneTimeCodes } from './dev-one-time-codes.js';
import { interactionRoutes } from './interactions.js';
import { IssuedAccessTokens, type SigningKey } from './issued-access-tokens.js';
import { jwtAccessTokenEndpoints } from './jwt-access-token-endpoints.js';
import { providerConfiguration } from './provider-config.js';

/** A dev authorization server started by `startAuthServer()`. */
export interface RunningAuthServer {
  /** The issuer (`AUTH_ISSUER`): discovery is at `<url>/.well-known/openid-configuration`. */
  readonly url: string;
  /** The port it actually listens on. */
  readonly port: number;
  /** Stops listening and drops open connections; sessions and grants are lost. */
  close(): Promise<void>;
}

/**
 * Starts the embedded DEV authorization server (oidc-provider) in this process: a fresh RS256
 * key (published in the JWKS with its `kid`), the provider configured by
 * `providerConfiguration()`, the login pages, and introspection/userinfo for JWT access tokens.
 * Everything lives in memory: development only.
 *
 * It listens before the provider is built, so that with `port: 0` and no `issuer` the issuer
 * is `http://<host>:<the port it got>` (host `localhost` when unset): a test never has to
 * pick a free port first.
 * @example
 * const auth = await startAuthServer({ ...config, port: 0, host: '127.0.0.1', issuer: undefined });
 * await fetch(`${auth.url}/.well-known/openid-configuration`);
 * await auth.close();
 */
export async function startAuthServer(
  config: Omit<AuthServerConfig, 'issuer'> & { readonly issuer?: string },
): Promise<RunningAuthServer> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if (config.host) server.listen(config.port, config.host, listening);
    else server.listen(config.port, listening);
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = config.issuer ?? `http://${config.host ?? 'localhost'}:${port}`;

  const { jwk, key } = createSigningKey();
  const provider = new Provider(
    issuer,
    providerConfiguration(
      { ...config, issuer },
      { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] },
    ),
  );
  const tokens = new IssuedAccessTokens(provider, key);
  provider.use(interactionRoutes(provider, new DevOneTimeCodes()));
  provider.use(jwtAccessTokenEndpoints(provider, tokens));
  // oidc-provider answers server_error without logging; the dev needs the stack
  provider.on('server_error', (_ctx, error) => console.error('auth-server: server error:', error));
  server.on('request', provider.callback());
  return {
    url: issuer,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function createSigningKey(): { jwk: JsonWebKey; key: SigningKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('base64url');
  return {
    jwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    key: { kid, publicKey: createPublicKey(privateKey) },
  };
}
