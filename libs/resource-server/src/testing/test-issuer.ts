import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
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

/** How the issuer fails while down. */
export type OutageMode = 'refuse' | 'http500' | 'garbage' | 'hang';

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
 * A local authorization server for tests: real keys, OpenID discovery and a JWKS on
 * loopback, key rotation, outages on demand, and tokens with any claims and headers.
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
  private server: Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private readonly routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

  private constructor(private readonly options: TestIssuerOptions) {
    this.server = this.createHttpServer();
    this.route('/.well-known/openid-configuration', (_req, res) => this.json(res, this.metadata()));
    this.route('/jwks', (_req, res) => this.json(res, this.jwks()));
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
      ...options.claims,
    };
    const header: Record<string, unknown> = { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...options.header };
    return signJws(dropUndefined(header), dropUndefined(claims), key.privateKey);
  }

  /** Takes the issuer down: every endpoint refuses connections, answers 500 or garbage, or hangs. */
  async goDown(mode: OutageMode = 'refuse'): Promise<void> {
    this.outage = mode;
    if (mode === 'refuse') await this.stopListening();
  }

  /** Brings the issuer back on the same port. */
  async comeBack(): Promise<void> {
    const wasRefusing = this.outage === 'refuse';
    this.outage = undefined;
    if (wasRefusing) {
      this.server = this.createHttpServer();
      await this.listen(this.port);
    }
  }

  /** Serves another path (an introspection endpoint, say) on the issuer. */
  route(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void {
    this.routes.set(path, handler);
  }

  async close(): Promise<void> {
    await this.stopListening();
  }

  private metadata(): Record<string, unknown> {
    return { issuer: this.url, jwks_uri: this.jwksUri, ...this.extraMetadata };
  }

  /** Fields added to the discovery document. */
  readonly extraMetadata: Record<string, unknown> = {};

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
      const handler = this.routes.get(path);
      if (handler) handler(req, res);
      else this.json(res, { error: 'not_found' }, 404);
    });
    server.on('connection', (socket) => {
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

  private stopListening(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
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
