import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import type { VerificationEvent } from 'nest-resource-server';
import { DpopTestKey, TestIssuer } from 'nest-resource-server/testing';
import request from 'supertest';
import { createGraphqlProbeApp, GRAPHQL_SETUPS } from './support/graphql-probe-app.js';

interface GraphqlError {
  message: string;
  path?: readonly string[];
  extensions: Record<string, unknown>;
}
interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: GraphqlError[];
}

const TRUSTED = 'https://app.example.com';

describe.each(GRAPHQL_SETUPS)('GraphQL over HTTP (%s)', (setup) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;
  const events: VerificationEvent[] = [];

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe' });
    ({ app, url } = await createGraphqlProbeApp(
      {
        issuer: issuer.url,
        audience: ['probe', 'api-b'],
        realm: 'probe',
        clockToleranceSeconds: 0,
        cookieName: 'app.at',
        trustedOrigins: [TRUSTED],
        verificationListener: { onVerification: (event) => events.push(event) },
      },
      setup,
    ));
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });
  beforeEach(() => {
    events.length = 0;
  });

  interface Call {
    readonly token?: string;
    readonly cookie?: string;
    readonly origin?: string;
    readonly variables?: Record<string, unknown>;
  }
  const gql = async (query: string, call: Call = {}): Promise<GraphqlBody> => {
    const post = request(url).post('/graphql').set('content-type', 'application/json');
    if (call.token) post.set('authorization', `Bearer ${call.token}`);
    if (call.cookie) post.set('cookie', `app.at=${call.cookie}`);
    if (call.origin) post.set('origin', call.origin);
    const response = await post.send({ query, variables: call.variables });
    // GraphQL over HTTP: a refused field is an error in a 200 answer, beside the other fields' data
    expect(response.status).toBe(200);
    return response.body as GraphqlBody;
  };
  const token = (claims: Record<string, unknown> = {}, expiresInSeconds?: number) =>
    issuer.token({ claims: { sub: 'alice', scope: 'p:read', ...claims }, expiresInSeconds });
  /** The one error, less Apollo's `stacktrace` (its only line is the message: no frames). */
  const onlyError = (body: GraphqlBody): GraphqlError => {
    expect(body.errors).toHaveLength(1);
    const { stacktrace, ...extensions } = body.errors![0]!.extensions;
    if (stacktrace !== undefined) expect(stacktrace).toEqual([`GraphqlRejectionError: ${body.errors![0]!.message}`]);
    return { ...body.errors![0]!, extensions };
  };

  it('answers a query with the verified claims, the claim and the raw token', async () => {
    const access = token();
    const body = await gql('{ me { sub tokenLength scope } }', { token: access });
    expect(body).toEqual({ data: { me: { sub: 'alice', tokenLength: access.length, scope: 'p:read' } } });
  });

  it('refuses a query without a token: UNAUTHENTICATED, token_missing, with the challenge', async () => {
    const error = onlyError(await gql('{ me { sub } }'));
    expect(error.path).toEqual(['me']);
    expect(error.message).toBe('bearer token required');
    expect(error.extensions).toEqual({
      code: 'UNAUTHENTICATED',
      status: 401,
      reason: 'token_missing',
      wwwAuthenticate: 'Bearer realm="probe"',
    });
  });

  it('tells an expired token (refresh) from a bad one (log in)', async () => {
    const expired = onlyError(await gql('{ me { sub } }', { token: token({}, -60) }));
    expect(expired.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
      reason: 'token_expired',
      error: 'invalid_token',
    });
    expect(expired.extensions['wwwAuthenticate']).toMatch(/^Bearer realm="probe", error="invalid_token"/);
    const forged = onlyError(await gql('{ me { sub } }', { token: `${token().slice(0, -4)}AAAA` }));
    expect(forged.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'signature_invalid' });
  });

  it('refuses an id token', async () => {
    const error = onlyError(await gql('{ me { sub } }', { token: token({ at_hash: 'x', nonce: 'n' }) }));
    expect(error.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_type_not_accepted' });
  });

  it('refuses a mutation without its scope: FORBIDDEN, scope_missing, nothing run', async () => {
    const body = await gql('mutation { write(text: "x") }', { token: token() });
    expect(body.data).toBeNull();
    expect(onlyError(body).extensions).toEqual({
      code: 'FORBIDDEN',
      status: 403,
      reason: 'scope_missing',
      error: 'insufficient_scope',
      scope: 'p:write',
      wwwAuthenticate: 'Bearer realm="probe", error="insufficient_scope", scope="p:write"',
    });
    const allowed = await gql('mutation { write(text: "x") }', { token: token({ scope: 'p:write' }) });
    expect(allowed).toEqual({ data: { write: 'alice wrote x' } });
  });

  it.each([
    ['admin', { roles: ['user'] }, { roles: ['admin'] }, 'FORBIDDEN', 'role_missing'],
    ['tenant', { tenant: 'other' }, { tenant: 'acme' }, 'FORBIDDEN', 'claim_missing'],
    // as on a REST route: a token for another audience is invalid, not short of a right
    ['audienceB', { aud: 'probe' }, { aud: 'api-b' }, 'UNAUTHENTICATED', 'audience_mismatch'],
  ])('applies the rule of %s', async (field, refused, admitted, code, reason) => {
    const error = onlyError(await gql(`{ ${field} }`, { token: token(refused) }));
    expect(error.extensions).toMatchObject({ code, status: code === 'FORBIDDEN' ? 403 : 401, reason });
    const body = await gql(`{ ${field} }`, { token: token(admitted) });
    expect(body.errors).toBeUndefined();
  });

  it('asks for a step-up: UNAUTHENTICATED, authentication_insufficient, acr_values in the challenge', async () => {
    const error = onlyError(await gql('{ stepUp }', { token: token({ acr: 'pwd' }) }));
    expect(error.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
      reason: 'authentication_insufficient',
      error: 'insufficient_user_authentication',
    });
    expect(error.extensions['wwwAuthenticate']).toContain('acr_values="mfa"');
    expect(await gql('{ stepUp }', { token: token({ acr: 'mfa' }) })).toEqual({ data: { stepUp: 'stepped up' } });
  });

  it("applies a field resolver's own rule, leaving the rest of the answer", async () => {
    const body = await gql('{ me { sub secret } }', { token: token() });
    expect(body.data).toEqual({ me: { sub: 'alice', secret: null } });
    const error = onlyError(body);
    expect(error.path).toEqual(['me', 'secret']);
    expect(error.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'scope_missing', scope: 'p:secret' });
    const allowed = await gql('{ me { secret } }', { token: token({ scope: 'p:secret' }) });
    expect(allowed).toEqual({ data: { me: { secret: 'secret of alice for alice' } } });
  });

  it('answers a @Public query without verifying any token', async () => {
    expect(await gql('{ hello }')).toEqual({ data: { hello: 'hello stranger' } });
    expect(events).toEqual([]); // nothing verified
    expect(await gql('{ hello }', { token: token() })).toEqual({ data: { hello: 'hello stranger' } });
    expect(await gql('{ hello }', { token: 'not-a-token' })).toEqual({ data: { hello: 'hello stranger' } });
  });

  it('refuses a public and a protected field apart: the public one still answers', async () => {
    const body = await gql('{ hello me { sub } }');
    expect(body.data).toEqual({ hello: 'hello stranger', me: null });
    expect(onlyError(body).extensions['reason']).toBe('token_missing');
  });

  it('verifies the token once per operation, not once per field', async () => {
    const body = await gql('{ me { sub secret } admin tenant stepUp }', {
      token: token({ scope: 'p:read p:secret', roles: ['admin'], tenant: 'acme', acr: 'mfa' }),
    });
    expect(body.errors).toBeUndefined();
    expect(events.map((event) => event.outcome)).toEqual(['accepted']);
    expect(events[0]).toMatchObject({ method: 'POST', path: '/graphql', handler: 'ProbeResolver.me' });
    await gql('{ admin }', { token: token({ roles: ['admin'] }) });
    expect(events).toHaveLength(2); // a second operation is verified again
  });

  it('never reads a token from the URL or the operation (token_missing): only the header or the cookie', async () => {
    const access = token();
    const inUrl = await request(url)
      .post(`/graphql?access_token=${access}`)
      .set('content-type', 'application/json')
      .send({ query: '{ me { sub } }' });
    expect(onlyError(inUrl.body as GraphqlBody).extensions['reason']).toBe('token_missing');
    const inOperation = await request(url)
      .post('/graphql')
      .set('content-type', 'application/json')
      .send({
        query: '{ me { sub } }',
        variables: { access_token: access },
        extensions: { authorization: `Bearer ${access}` },
      });
    expect(onlyError(inOperation.body as GraphqlBody).extensions['reason']).toBe('token_missing');
  });

  it('never runs a cookie-borne mutation sent as a GET (a safe method the Origin rule exempts)', async () => {
    const response = await request(url)
      .get('/graphql')
      .query({ query: 'mutation { write(text: "x") }' })
      .set('cookie', `app.at=${token({ scope: 'p:write' })}`);
    // the GraphQL server refuses a mutation over GET before any resolver runs
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(JSON.stringify(response.body ?? {})).not.toContain('wrote');
    expect(events).toEqual([]);
  });

  it('verifies once while root fields start together on a cold key store: they wait for that verification', async () => {
    const cold: VerificationEvent[] = [];
    const fresh = await createGraphqlProbeApp(
      {
        issuer: issuer.url,
        audience: ['probe', 'api-b'],
        realm: 'probe',
        verificationListener: { onVerification: (event) => cold.push(event) },
      },
      setup,
    );
    try {
      const response = await request(fresh.url)
        .post('/graphql')
        .set('content-type', 'application/json')
        .set(
          'authorization',
          `Bearer ${token({ scope: 'p:read p:secret', roles: ['admin'], tenant: 'acme', acr: 'mfa' })}`,
        )
        .send({ query: '{ me { sub secret } admin tenant stepUp }' });
      expect(response.body.errors).toBeUndefined();
      // the first field's guard waits for the JWKS; the others wait for its verification, not their own
      expect(cold.map((event) => event.outcome)).toEqual(['accepted']);
    } finally {
      await fresh.app.close();
    }
  });

  it('keeps the verified token when a field is refused: the next fields are not verified again', async () => {
    // `admin` comes first and is refused; `me` and `tenant` still run (`admin` is non-null, so
    // `data` ends up null, but every root field was executed and guarded)
    const body = await gql('{ admin me { sub } tenant }', { token: token({ tenant: 'acme' }) });
    expect(body.data).toBeNull();
    expect(onlyError(body).extensions['reason']).toBe('role_missing');
    // one verification, then the refusal of `admin` for its role
    expect(events.map((event) => [event.outcome, event.reason ?? null])).toEqual([
      ['accepted', null],
      ['rejected', 'role_missing'],
    ]);
  });

  it('reads the token from the cookie for a query, and refuses a cookie-borne mutation from another origin', async () => {
    const access = token({ scope: 'p:write' });
    expect(await gql('{ me { sub } }', { cookie: access, origin: TRUSTED })).toMatchObject({
      data: { me: { sub: 'alice' } },
    });
    const refused = await gql('mutation { write(text: "x") }', { cookie: access, origin: 'https://evil.example' });
    expect(refused.data).toBeNull();
    expect(onlyError(refused).extensions).toEqual({
      code: 'FORBIDDEN',
      status: 403,
      reason: 'csrf_rejected',
      error: 'csrf_rejected',
    });
    const noOrigin = await gql('mutation { write(text: "x") }', { cookie: access });
    expect(onlyError(noOrigin).extensions['reason']).toBe('csrf_rejected');
    const trusted = await gql('mutation { write(text: "x") }', { cookie: access, origin: TRUSTED });
    expect(trusted).toEqual({ data: { write: 'alice wrote x' } });
  });

  it('refuses two different tokens: BAD_REQUEST, two_tokens', async () => {
    const error = onlyError(await gql('{ me { sub } }', { token: token(), cookie: token({ sub: 'bob' }) }));
    expect(error.extensions).toMatchObject({ code: 'BAD_REQUEST', status: 400, reason: 'two_tokens' });
  });

  it('never puts the token or a stack trace in an error', async () => {
    const expired = token({}, -60);
    const response = await request(url)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${expired}`)
      .send({ query: '{ me { sub } }' });
    expect(response.text).not.toContain(expired.split('.')[2]!);
    expect(response.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    const stacktrace = (response.body as GraphqlBody).errors?.[0]?.extensions['stacktrace'];
    if (setup !== 'fastify/mercurius') expect(stacktrace).toEqual(['GraphqlRejectionError: token expired']);
  });
});

describe.each(GRAPHQL_SETUPS)('GraphQL over HTTP with DPoP allowed (%s)', (setup) => {
  let issuer: TestIssuer;
  let app: INestApplication;
  let url: string;
  const key = DpopTestKey.generate();

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'probe' });
    ({ app, url } = await createGraphqlProbeApp({ issuer: issuer.url, audience: 'probe', dpop: 'allowed' }, setup));
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  const me = (authorization: string, proof?: string) => {
    const post = request(url)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', authorization);
    if (proof) post.set('dpop', proof);
    return post.send({ query: '{ me { sub } }' }).expect(200);
  };

  it('admits a bound token with its proof for POST /graphql', async () => {
    const token = issuer.token({ dpop: key, claims: { sub: 'alice' } });
    const response = await me(
      `DPoP ${token}`,
      key.proof({ method: 'POST', url: `${url}/graphql`, accessToken: token }),
    );
    expect(response.body).toEqual({ data: { me: { sub: 'alice' } } });
  });

  it('refuses a proof made for another URL, and a bound token sent as Bearer', async () => {
    const token = issuer.token({ dpop: key });
    const elsewhere = await me(`DPoP ${token}`, key.proof({ method: 'POST', url: `${url}/`, accessToken: token }));
    expect(elsewhere.body.errors[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'dpop_proof_invalid',
    });
    // the challenge a REST route would send to a DPoP request: the DPoP one, naming the proof's fault
    expect(elsewhere.body.errors[0].extensions.wwwAuthenticate).toMatch(
      /^DPoP realm="[^"]*", error="invalid_dpop_proof"/,
    );
    const bearer = await me(`Bearer ${token}`);
    expect(bearer.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token_bound' });
    // a bad token under the DPoP scheme: the DPoP challenge comes first, with invalid_token
    const forged = `${token.slice(0, -4)}AAAA`;
    const underDpop = await me(
      `DPoP ${forged}`,
      key.proof({ method: 'POST', url: `${url}/graphql`, accessToken: forged }),
    );
    expect(underDpop.body.errors[0].extensions.wwwAuthenticate).toMatch(/^DPoP realm="[^"]*", error="invalid_token"/);
  });
});
