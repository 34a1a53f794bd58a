import { sign } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { TestIssuer, type TestKey } from 'nest-resource-server/testing';
import { startSampleApp, type RunningApp } from '../../../test/support/sample-app.js';
import { TodoApiModule } from '../src/todo-api.module.js';

/**
 * Fixed seed and a bounded count in CI; `FUZZ_RUNS=20000 FUZZ_SEED=<n>` for a longer run.
 * A failure prints its seed and path, so the same case replays with that seed.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_101);
const TIMEOUT_MS = Math.max(20_000, RUNS * 50);
const PARAMETERS: fc.Parameters<unknown> = { numRuns: RUNS, seed: SEED, endOnFailure: true };

const REALM = 'realm="todo-api"';
// RFC 6750 §3: the challenges this API may send, with quoted-strings in the §3 character set
const QUOTED = '"[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]*"';
const CHALLENGE: Record<number, RegExp> = {
  400: new RegExp(`^Bearer ${REALM}, error="invalid_request"$`),
  401: new RegExp(`^Bearer ${REALM}(, error="invalid_token", error_description=${QUOTED})?$`),
};

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// characters Node's client lets into a header value: HTAB, space, visible ASCII, some obs-text
const HEADER_CHARS = [
  '\t',
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  'é',
  'ÿ',
  '\x80',
];

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** The real guard of the todo-api, under random inputs, on loopback. */
describe('todo-api guard under fuzzing (fast-check)', () => {
  let issuer: TestIssuer;
  let api: RunningApp;
  let valid: string;
  let foreign: TestKey;
  let startedAt: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  beforeAll(async () => {
    issuer = await TestIssuer.start({ audience: 'todo-api' });
    const defaults = { port: 3001, audience: 'todo-api' };
    api = await startSampleApp((o) => TodoApiModule.forRoot(o), defaults, { OAUTH_ISSUER: issuer.url });
    valid = issuer.token({ expiresInSeconds: 3600 });
    foreign = { ...TestIssuer.foreignKey(), kid: issuer.currentKey.kid };
    startedAt = Date.now();
  });
  afterAll(async () => {
    agent.destroy();
    await api.close();
    await issuer.close();
  });

  function get(headers: Record<string, string>): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const call = httpRequest(
        { host: '127.0.0.1', port: api.port, path: '/me', method: 'GET', headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({
              status: response.statusCode!,
              headers: response.headers,
              text: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      call.on('error', reject);
      call.end();
    });
  }

  /**
   * The invariants of every answer: never a 2xx unless allowed, never a 5xx (the issuer is
   * up, so not even a 503), a well-formed challenge on every refusal, and no echo of what
   * was sent.
   */
  function checkInvariants(reply: Reply, sent: readonly string[], may2xx: boolean): void {
    if (!may2xx) expect(reply.status).not.toBe(200);
    expect([200, 400, 401]).toContain(reply.status);
    if (reply.status !== 200) {
      expect(reply.headers['www-authenticate']).toMatch(CHALLENGE[reply.status]!);
      expect(reply.headers['content-type']).toMatch(/^application\/json/);
      expect(reply.headers['cache-control']).toBe('no-store');
      const echoed = JSON.stringify(reply.headers) + reply.text;
      for (const value of sent) {
        for (const piece of value.split(/[.;= ]/)) if (piece.length >= 16) expect(echoed).not.toContain(piece);
      }
    }
  }

  it(
    'never answers 2xx or 5xx to random Authorization headers, and always challenges properly',
    async () => {
      const credential = fc.oneof(
        fc.string({ unit: fc.constantFrom(...HEADER_CHARS), maxLength: 300 }),
        fc.string({ unit: fc.constantFrom(...B64URL, '.', '~', '+', '/'), minLength: 1, maxLength: 400 }),
        fc
          .array(fc.string({ unit: fc.constantFrom(...B64URL), maxLength: 120 }), { minLength: 1, maxLength: 6 })
          .map((parts) => parts.join('.')),
      );
      const scheme = fc.oneof(
        fc.mixedCase(fc.constant('bearer')),
        fc.constantFrom('Basic', 'Token', 'Bearer:', 'Bearer,', 'DPoP', 'Bearer=', ''),
      );
      const separator = fc.constantFrom(' ', '  ', '\t', ' \t ', '', '=', ',');
      const header = fc.oneof(
        fc.tuple(scheme, separator, credential).map(([s, sep, c]) => ({ value: `${s}${sep}${c}`, credential: c })),
        fc.string({ unit: fc.constantFrom(...HEADER_CHARS), maxLength: 300 }).map((v) => ({ value: v, credential: v })),
      );
      await fc.assert(
        fc.asyncProperty(header, async ({ value, credential }) => {
          fc.pre(!value.includes(valid));
          const reply = await get({ authorization: value });
          checkInvariants(reply, [credential], false);
        }),
        PARAMETERS,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'answers 2xx to cookies only when every token they carry is exactly the valid one',
    async () => {
      const mutated = mutation().map(({ token }) => token);
      const value = fc.oneof(
        fc.constant('VALID'),
        fc.constant('"VALID"'),
        mutated,
        fc.string({ unit: fc.constantFrom(...B64URL, '.', '%', '"', '=', ' ', ',', '\\'), maxLength: 200 }),
      );
      const name = fc.constantFrom(
        'app.at',
        ' app.at',
        'app.at ',
        'app.rt',
        'APP.AT',
        'app_at',
        'theme',
        'app.at2',
        '',
      );
      const cookies = fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 6 });
      const authorization = fc.option(fc.oneof(fc.constant('VALID'), mutated), { nil: undefined });
      await fc.assert(
        fc.asyncProperty(cookies, authorization, async (pairs, header) => {
          const resolved = pairs.map(([n, v]) => [n, v === 'VALID' ? valid : v === '"VALID"' ? `"${valid}"` : v]);
          const cookieHeader = resolved.map(([n, v]) => `${n}=${v}`).join('; ');
          const bearer = header === 'VALID' ? valid : header;
          const reply = await get({
            cookie: cookieHeader,
            ...(bearer !== undefined ? { authorization: `Bearer ${bearer}` } : {}),
          });
          // the tokens the request carries: app.at cookies (trimmed, unquoted) and the header
          const carried = resolved
            .filter(([n]) => n!.trim() === 'app.at')
            .map(([, v]) => unquote(v!.trim()))
            .filter((v) => v !== '');
          if (bearer !== undefined) carried.push(bearer);
          const onlyValid = carried.length > 0 && carried.every((t) => t === valid || safeDecode(t) === valid);
          checkInvariants(
            reply,
            carried.filter((t) => t !== valid),
            onlyValid,
          );
        }),
        PARAMETERS,
      );
    },
    TIMEOUT_MS,
  );

  it(
    'never answers 2xx to a mutated token (flips, swaps, truncations, fields re-signed with a foreign key)',
    async () => {
      await fc.assert(
        fc.asyncProperty(mutation(), async ({ token }) => {
          const reply = await get({ authorization: `Bearer ${token}` });
          checkInvariants(reply, [token], token === valid);
          if (token === valid) expect(reply.status).toBe(200);
        }),
        PARAMETERS,
      );
    },
    TIMEOUT_MS,
  );

  it('still accepts the valid token and kept JWKS fetches within 10 a minute', async () => {
    const reply = await get({ authorization: `Bearer ${valid}` });
    expect(reply.status).toBe(200);
    const minutes = Math.ceil((Date.now() - startedAt + 1) / 60_000);
    expect(issuer.jwksFetches).toBeGreaterThanOrEqual(1);
    expect(issuer.jwksFetches).toBeLessThanOrEqual(10 * minutes + 1);
  });

  /** Mutations of the valid token: each names what it did, for the failure report. */
  function mutation(): fc.Arbitrary<{ kind: string; token: string }> {
    const at = (max: number) => fc.nat({ max: Math.max(0, max - 1) });
    const char = fc.constantFrom(...B64URL, '.', '=', '+', '/', '~');
    const charFlip = fc.tuple(fc.nat(), char).map(([i, c]) => {
      const position = i % valid.length;
      return { kind: 'char', token: valid.slice(0, position) + c + valid.slice(position + 1) };
    });
    const bitFlip = fc.tuple(fc.nat({ max: 2 }), fc.nat(), fc.nat({ max: 7 })).map(([segment, index, bit]) => {
      const parts = valid.split('.');
      const bytes = Buffer.from(parts[segment]!, 'base64url');
      bytes[index % bytes.length] = bytes[index % bytes.length]! ^ (1 << bit);
      parts[segment] = bytes.toString('base64url');
      return { kind: 'bit', token: parts.join('.') };
    });
    // the last character of a segment carries pad bits: other values may decode to the same bytes
    const tail = fc.tuple(fc.nat({ max: 2 }), fc.constantFrom(...B64URL)).map(([segment, c]) => {
      const parts = valid.split('.');
      parts[segment] = parts[segment]!.slice(0, -1) + c;
      return { kind: 'tail', token: parts.join('.') };
    });
    // the same bytes spelled with pad bits set: a second spelling of one signed token
    const padBits = fc.tuple(fc.nat({ max: 2 }), fc.integer({ min: 1, max: 15 })).map(([segment, bits]) => {
      const parts = valid.split('.');
      const unused = [0, 0, 4, 2][parts[segment]!.length % 4]!;
      const last = B64URL.indexOf(parts[segment]!.at(-1)!);
      parts[segment] = parts[segment]!.slice(0, -1) + B64URL[last | (bits & ((1 << unused) - 1))];
      return { kind: 'pad bits', token: parts.join('.') };
    });
    const swap = fc
      .array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 5 })
      .map((order) => ({ kind: 'segments', token: order.map((i) => valid.split('.')[i]).join('.') }));
    const truncate = at(valid.length).map((n) => ({ kind: 'truncate', token: valid.slice(0, n) }));
    const insert = fc.tuple(fc.nat(), fc.string({ unit: char, minLength: 1, maxLength: 4 })).map(([i, s]) => {
      const position = i % (valid.length + 1);
      return { kind: 'insert', token: valid.slice(0, position) + s + valid.slice(position) };
    });
    const drop = fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(([i, n]) => {
      const position = i % valid.length;
      return { kind: 'delete', token: valid.slice(0, position) + valid.slice(position + n) };
    });
    const fieldValue = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('none', 'HS256', 'RS256', 'at+jwt', 'todo-api', issuer.url, issuer.currentKey.kid, 1e20, -1),
    );
    const resigned = fc
      .tuple(
        fc.constantFrom('header', 'payload'),
        fc.constantFrom('alg', 'kid', 'typ', 'crit', 'jku', 'jwk', 'iss', 'aud', 'exp', 'nbf', 'iat', 'sub', 'scope'),
        fc.option(fieldValue, { nil: undefined }),
      )
      .map(([where, field, value]) => {
        const [header, payload] = valid
          .split('.')
          .slice(0, 2)
          .map((s) => JSON.parse(Buffer.from(s!, 'base64url').toString()));
        (where === 'header' ? header : payload)[field] = value;
        // RS256 by a foreign key under the issuer's kid, whatever alg the header now claims
        const input = `${encode(header)}.${encode(payload)}`;
        const token = `${input}.${sign('sha256', Buffer.from(input), foreign.privateKey).toString('base64url')}`;
        return { kind: `resigned ${where}.${field}`, token };
      });
    const single = fc.oneof(charFlip, bitFlip, tail, padBits, swap, truncate, insert, drop, resigned);
    // a few mutations in a row reach states one step does not
    return fc.oneof(
      single,
      fc.tuple(single, fc.nat({ max: 2 }), fc.nat()).map(([first, segment, index]) => {
        const parts = first.token.split('.');
        if (parts[segment] !== undefined && parts[segment]!.length > 0) {
          const i = index % parts[segment]!.length;
          parts[segment] = parts[segment]!.slice(0, i) + parts[segment]!.slice(i + 1);
        }
        return { kind: `${first.kind} then delete`, token: parts.join('.') };
      }),
    );
  }
});

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
