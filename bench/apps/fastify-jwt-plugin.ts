import fastifyJwt, { type FastifyJWTOptions, type TokenOrHeader } from '@fastify/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import buildGetJwks from 'get-jwks';
import type { PeerConfig } from './peer-config.js';

/**
 * Peer (Fk): `@fastify/jwt` with `get-jwks`, as both READMEs set it up ("Verifying with JWKS"):
 * the plugin registered on the Fastify instance (`app.register()`, as Nest's Fastify docs
 * register any plugin), `decode: { complete: true }`, a `secret` function asking get-jwks for
 * the key of the token's `kid`, `alg` and `iss`, and a global `onRequest` hook calling
 * `request.jwtVerify()`. Like every other scenario it also checks `aud` and `iss` and pins
 * the algorithm (`verify` options, the README's `allowedAud`/`allowedIss`), and get-jwks only
 * fetches keys for the one issuer (`issuersWhitelist`, its README's first option).
 * `providerDiscovery` because the test issuer serves its JWKS at the `jwks_uri` of its metadata,
 * not at `/.well-known/jwks.json`; the key is cached after the first request either way.
 */
export async function registerFastifyJwt(app: NestFastifyApplication, config: PeerConfig): Promise<void> {
  const getJwks = buildGetJwks({ issuersWhitelist: [config.issuer], providerDiscovery: true });
  const options: FastifyJWTOptions = {
    decode: { complete: true },
    secret: (_request: FastifyRequest, token: TokenOrHeader) => {
      const {
        header: { kid, alg },
        payload: { iss },
      } = token as { header: { kid?: string; alg?: string }; payload: { iss?: string } };
      return getJwks.getPublicKey({ kid, domain: iss, alg });
    },
    verify: { algorithms: ['RS256'], allowedIss: config.issuer, allowedAud: config.audience },
  };
  await app.register(fastifyJwt, options);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request, reply) => {
      try {
        await request.jwtVerify();
      } catch (err) {
        reply.send(err);
      }
    });
}
