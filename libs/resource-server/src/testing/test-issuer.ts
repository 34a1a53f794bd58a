import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { signJws } from './sign-jws.js';

/** Asymmetric algorithms the test issuer can make keys for. */
export type TestKeyAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

/** A signing key of the test issuer. */
export interface TestKey {
  readonly kid: string;
  readonly alg: TestKeyAlgorithm;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** How the introspection endpoint misbehaves: each is the authorization server's fault. */
export type IntrospectionFault = 'http500' | 'garbage' | 'non-object' | 'no-active' | 'hang' | 'huge' | 'credentials';

/**
 * How the issuer fails while down. `refuse`: every connection is reset at once (the port stays
 * bound, so no other server can take it while the issuer is down and `comeBack()` never
 * collides); a client sees the server unreachable, as with a refused connection.
 */
export type OutageMode = 'refuse' | 'http500' | 'garbage' | 'hang';

/**
 * How one endpoint misbehaves on the wire, for {@link TestIssuer.failRoute}. Bodies are
 * JSON where they are complete, so only the fault itself can make a client fail.
 * - `not-found`: 404 with a JSON error body.
 * - `hang`: reads the request, never answers.
 * - `huge`: 200 with a 2 MiB JSON body and its true `Content-Length`.
 * - `huge-chunked`: the same body chunked, without `Content-Length`.
 * - `length-understated`: `Content-Length: 64`, then the whole 2 MiB body.
 * - `length-overstated`: `Content-Length: 1000`, ten bytes, then the connection closes.
 * - `drip`: 200 and the start of a JSON body, then one byte every 100 ms, never finishing.
 * - `reset-mid-body`: 200 and part of the body, then a TCP reset.
 */
export type HttpFault =
  | 'not-found'
  | 'hang'
  | 'huge'
  | 'huge-chunked'
  | 'length-understated'
  | 'length-overstated'
  | 'drip'
  | 'reset-mid-body';

/** A JSON object of 2 MiB, over every 1 MiB body limit. */
const HUGE_BODY = JSON.stringify({ keys: [], padding: 'x'.repeat(2 * 1024 * 1024) });

/** Claims and header overrides for {@link TestIssuer.token}. */
export interface TokenOptions {
  /** Claims to add or override; `undefined` removes a default claim. */
  readonly claims?: Record<string, unknown>;
  /** Header parameters to add or override; `undefined` removes `kid` or `typ`. */
  readonly header?: Record<string, unknown>;
  /** Sign with this key instead of the current one. */
  readonly key?: TestKey;
  /** Lifetime in seconds from `now`. Default: 300. */
  readonly expiresInSeconds?: number;
  /** Bind the token to this DPoP key (`cnf.jkt`, RFC 9449 §6.1), e.g. a `DpopTestKey`. */
  readonly dpop?: { readonly jkt: string };
}

/** Settings of a {@link TestIssuer}. */
export interface TestIssuerOptions {
  /** Algorithm of the first key. Default: RS256. */
  readonly algorithm?: TestKeyAlgorithm;
  /** Default `aud` of minted tokens. Default: `api`. */
  readonly audience?: string | readonly string[];
  /** Clock for `iat` and `exp`, in milliseconds. Default: `Date.now`. */
  readonly clock?: () => number;
  /** Fixed port. Default: a free one on 127.0.0.1. */
  readonly port?: number;
}

/**
 * A local authorization server for tests: real keys, OpenID discovery, a JWKS and an
 * RFC 7662 introspection endpoint on loopback, key rotation, outages on demand, and
 * tokens (JWT or opaque) with any claims and headers.
 * @example
 * const issuer = await TestIssuer.start({ audience: 'todo-api' });
 * const app = await createApp({ issuer: issuer.url, audience: 'todo-api' });
 * await request(app.getHttpServer()).get('/me').auth(issuer.token(), { type: 'bearer' }).expect(200);
 * await issuer.close();
 */
export class TestIssuer {
  /** Requests served per path, such as `/jwks`. */
  readonly hits = new Map<string, number>();
  private readonly keys: TestKey[] = [];
  private outage?: OutageMode;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private readonly routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  private readonly introspectionClients = new Map<string, string>();
  private readonly opaqueTokens = new Map<string, Record<string, unknown>>();
  private introspectionFault?: IntrospectionFault;
  /** Milliseconds the introspection endpoint waits before answering (to make requests overlap). */
  introspectionDelayMs = 0;
  /** What the last introspection request sent, for assertions. */
  lastIntrospection?: {
    readonly clientAuthMethod: 'client_secret_basic' | 'client_secret_post';
    readonly form: URLSearchParams;
  };
  /** Fields added to the discovery document. */
  readonly extraMetadata: Record<string, unknown> = {};
  private readonly routeFaults = new Map<string, HttpFault>();
  private readonly heldRoutes = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(private readonly options: TestIssuerOptions) {
    this.server = this.createHttpServer();
    this.route('/.well-known/openid-configuration', (_req, res) => this.json(res, this.metadata()));
    this.route('/jwks', (_req, res) => this.json(res, this.jwks()));
    this.route('/introspect', (req, res) => void this.introspect(req, res));
    this.addKey(options.algorithm ?? 'RS256');
  }

  /** Starts an issuer on 127.0.0.1. */
  static async start(options: TestIssuerOptions = {}): Promise<TestIssuer> {
    const issuer = new TestIssuer(options);
    await issuer.listen(options.port ?? 0);
    return issuer;
  }

  /** The issuer identifier (`iss`), also the base of discovery. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get jwksUri(): string {
    return `${this.url}/jwks`;
  }

  /** The RFC 7662 endpoint, also announced by discovery. */
  get introspectionEndpoint(): string {
    return `${this.url}/introspect`;
  }

  /** How many times the introspection endpoint was called. */
  get introspectionCalls(): number {
    return this.hits.get('/introspect') ?? 0;
  }

  /** Lets a client (an API) call the introspection endpoint with these credentials. */
  addIntrospectionClient(clientId: string, clientSecret: string): void {
    this.introspectionClients.set(clientId, clientSecret);
  }

  /**
   * An opaque token the introspection endpoint knows: active with `iss`, `sub`, `aud`,
   * `exp`, `scope`, `token_type` by default, each overridable (or removed with `undefined`).
   */
  opaqueToken(
    options: { claims?: Record<string, unknown>; expiresInSeconds?: number; dpop?: { readonly jkt: string } } = {},
  ): string {
    const token = randomBytes(24).toString('base64url');
    const now = Math.floor((this.options.clock ?? Date.now)() / 1000);
    this.opaqueTokens.set(
      token,
      dropUndefined({
        iss: this.url,
        sub: 'user-1',
        aud: this.options.audience ?? 'api',
        iat: now,
        exp: now + (options.expiresInSeconds ?? 300),
        scope: 'openid',
        client_id: 'web',
        token_type: options.dpop ? 'DPoP' : 'Bearer',
        ...(options.dpop ? { cnf: { jkt: options.dpop.jkt } } : {}),
        ...options.claims,
      }),
    );
    return token;
  }

  /** The introspection endpoint answers `active: false` for this token from now on. */
  revoke(token: string): void {
    this.opaqueTokens.delete(token);
  }

  /** Makes the introspection endpoint misbehave (the other endpoints keep working); `undefined` heals it. */
  failIntrospection(fault: IntrospectionFault | undefined): void {
    this.introspectionFault = fault;
  }

  /** The key new tokens are signed with (the newest). */
  get currentKey(): TestKey {
    return this.keys[this.keys.length - 1]!;
  }

  /** How many times the JWKS was fetched. */
  get jwksFetches(): number {
    return this.hits.get('/jwks') ?? 0;
  }

  /** Makes a key, publishes it in the JWKS and signs new tokens with it. */
  addKey(alg: TestKeyAlgorithm = 'RS256'): TestKey {
    const key = { kid: randomUUID(), alg, ...generateKeys(alg) };
    this.keys.push(key);
    return key;
  }

  /** Key rotation: a new signing key, the old ones still published unless `dropOld`. */
  rotateKeys(options: { alg?: TestKeyAlgorithm; dropOld?: boolean } = {}): TestKey {
    const previous = [...this.keys];
    const key = this.addKey(options.alg ?? this.currentKey.alg);
    if (options.dropOld) for (const old of previous) this.removeKey(old.kid);
    return key;
  }

  /** Stops publishing a key (tokens signed with it stay signed with it). */
  removeKey(kid: string): void {
    const index = this.keys.findIndex((k) => k.kid === kid);
    if (index !== -1) this.keys.splice(index, 1);
  }

  /** A key the issuer does not publish, for forged tokens. */
  static foreignKey(alg: TestKeyAlgorithm = 'RS256'): TestKey {
    return { kid: randomUUID(), alg, ...generateKeys(alg) };
  }

  /**
   * A signed access token: `iss`, `sub`, `aud`, `iat`, `exp`, `jti` and `scope` by
   * default, every one overridable (or removed with `undefined`).
   */
  token(options: TokenOptions = {}): string {
    const key = options.key ?? this.currentKey;
    const now = Math.floor((this.options.clock ?? Date.now)() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.url,
      sub: 'user-1',
      aud: this.options.audience ?? 'api',
      iat: now,
      exp: now + (options.expiresInSeconds ?? 300),
      jti: randomUUID(),
      scope: 'openid',
      ...(options.dpop ? { cnf: { jkt: options.dpop.jkt } } : {}),
      ...options.claims,
    };
    const header: Record<string, unknown> = { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...options.header };
    return signJws(dropUndefined(header), dropUndefined(claims), key.privateKey);
  }

  /** Takes the issuer down: every endpoint resets connections, answers 500 or garbage, or hangs. */
  async goDown(mode: OutageMode = 'refuse'): Promise<void> {
    this.outage = mode;
    if (mode === 'refuse') for (const socket of this.sockets) socket.resetAndDestroy();
  }

  /** Brings the issuer back, on the same port (it never gave it up). */
  async comeBack(): Promise<void> {
    this.outage = undefined;
  }

  /**
   * Makes one path (`/jwks`, `/.well-known/openid-configuration`, `/introspect`, ...)
   * misbehave on the wire while the others keep working; `undefined` heals it. Requests
   * are still counted in {@link hits}.
   * @example
   * issuer.failRoute('/jwks', 'drip'); // the JWKS answers one byte every 100 ms
   * issuer.failRoute('/jwks', undefined); // and is healthy again
   */
  failRoute(path: string, fault: HttpFault | undefined): void {
    if (fault === undefined) this.routeFaults.delete(path);
    else this.routeFaults.set(path, fault);
  }

  /**
   * Holds every request to `path` until the returned function is called; held and later
   * requests are then served normally. Lets a test act while a fetch is in flight.
   * @example
   * const release = issuer.holdRoute('/jwks');
   * // ... requests that must not wait for the JWKS ...
   * release();
   */
  holdRoute(path: string): () => void {
    let release!: () => void;
    this.heldRoutes.set(path, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.heldRoutes.delete(path);
      release();
    };
  }

  /** Serves another path (an introspection endpoint, say) on the issuer. */
  route(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
    this.routes.set(path, handler);
  }

  async close(): Promise<void> {
    await this.stopListening();
  }

  private metadata(): Record<string, unknown> {
    return {
      issuer: this.url,
      jwks_uri: this.jwksUri,
      introspection_endpoint: this.introspectionEndpoint,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      ...this.extraMetadata,
    };
  }

  private jwks(): { keys: Record<string, unknown>[] } {
    return {
      keys: this.keys.map((k) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg: k.alg, use: 'sig' })),
    };
  }

  private createHttpServer(): Server {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      if (this.outage === 'hang') return; // never answers; the client's time limit must end it
      if (this.outage === 'http500') return this.json(res, { error: 'server_error' }, 500);
      if (this.outage === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
        return;
      }
      const fault = this.routeFaults.get(path);
      if (fault) return this.serveFault(fault, res);
      const serve = () => {
        const handler = this.routes.get(path);
        if (handler) handler(req, res);
        else this.json(res, { error: 'not_found' }, 404);
      };
      const held = this.heldRoutes.get(path);
      if (held) void held.then(serve);
      else serve();
    });
    server.on('connection', (socket) => {
      if (this.outage === 'refuse') return void socket.resetAndDestroy();
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private serveFault(fault: HttpFault, res: ServerResponse): void {
    const socket = res.socket!;
    const head = (length?: number) =>
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n' +
      (length === undefined ? '' : `Content-Length: ${length}\r\n`) +
      '\r\n';
    switch (fault) {
      case 'not-found':
        return this.json(res, { error: 'not_found' }, 404);
      case 'hang':
        return;
      case 'huge':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': HUGE_BODY.length });
        return void res.end(HUGE_BODY);
      case 'huge-chunked': {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < HUGE_BODY.length; i += 64 * 1024) res.write(HUGE_BODY.slice(i, i + 64 * 1024));
        return void res.end();
      }
      case 'length-understated':
        return void socket.end(head(64) + HUGE_BODY);
      case 'length-overstated':
        socket.write(head(1000) + '{"keys":[{');
        return void socket.end();
      case 'drip': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[');
        const timer = setInterval(() => res.write(' '), 100);
        this.timers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          this.timers.delete(timer);
        });
        return;
      }
      case 'reset-mid-body':
        socket.write(head(5000) + '{"keys":[{"kty":"RSA","kid":"', () => socket.resetAndDestroy());
        return;
    }
  }

  private stopListening(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async introspect(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (this.introspectionDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.introspectionDelayMs));
    const fault = this.introspectionFault;
    if (fault === 'hang') return;
    if (fault === 'http500') return this.json(res, { error: 'server_error' }, 500);
    if (fault === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"active":');
    if (fault === 'non-object') return this.json(res, [{ active: true }]);
    if (fault === 'no-active') return this.json(res, { active: 'true', sub: 'x' });
    if (fault === 'huge') return this.json(res, { active: true, padding: 'x'.repeat(2 * 1024 * 1024) });

    const credentials = this.clientCredentials(req, form);
    this.lastIntrospection = { clientAuthMethod: credentials?.method ?? 'client_secret_basic', form };
    if (
      !credentials ||
      this.introspectionClients.get(credentials.id) !== credentials.secret ||
      fault === 'credentials'
    ) {
      return this.json(res, { error: 'invalid_client' }, 401);
    }
    const claims = this.opaqueTokens.get(form.get('token') ?? '');
    const now = (this.options.clock ?? Date.now)() / 1000;
    if (!claims || (typeof claims.exp === 'number' && claims.exp <= now)) return this.json(res, { active: false });
    this.json(res, { active: true, ...claims });
  }

  private clientCredentials(
    req: IncomingMessage,
    form: URLSearchParams,
  ): { id: string; secret: string; method: 'client_secret_basic' | 'client_secret_post' } | undefined {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      const [id = '', secret = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
      const decode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
      return { id: decode(id), secret: decode(secret), method: 'client_secret_basic' };
    }
    const id = form.get('client_id');
    const secret = form.get('client_secret');
    return id && secret ? { id, secret, method: 'client_secret_post' } : undefined;
  }

  /** Writes a JSON response. */
  json(res: ServerResponse, body: unknown, status = 200): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }
}

function generateKeys(alg: TestKeyAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('ES')) {
    const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256'];
    return generateKeyPairSync('ec', { namedCurve });
  }
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function dropUndefined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
