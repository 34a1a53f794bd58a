import * as client from 'openid-client';
import type { TokenSet } from './token-set.js';

/** What the BFF sends with its WebSocket handshake to an API: `Authorization`, and `DPoP` for a bound token. */
export interface HandshakeHeaders {
  readonly authorization: string;
  readonly dpop?: string;
}

/**
 * The credentials of the BFF's upstream WebSocket handshakes (todo-api's `/live`): the
 * session's token as `Authorization: Bearer`, or, when it is DPoP-bound, `Authorization: DPoP`
 * with a proof by the BFF's key for `GET` and the URL (RFC 9449 §4.2; an API checks a handshake
 * as an HTTP `GET` of its URL, so `htu` is the `http(s)` form of the `ws(s)` URL).
 *
 * The proof comes from openid-client, as every API call's does: its DPoP handle signs proofs
 * only on the way into a request it sends itself (the handle's proof method is not public
 * API), and a WebSocket upgrade is not a `fetch`. So `fetchProtectedResource()` runs with a
 * `customFetch` that keeps the headers it was given and sends nothing: the same `Authorization`
 * and the same proof a `GET` of that URL would carry, by the same key.
 */
export class UpstreamHandshake {
  private readonly dpop?: client.DPoPHandle;

  /**
   * @param keyPair the BFF's DPoP key (`BFF_DPOP_KEY`); undefined with `BFF_DPOP=false`.
   */
  constructor(
    private readonly issuer: string,
    private readonly clientId: string,
    keyPair?: client.CryptoKeyPair,
  ) {
    if (keyPair)
      this.dpop = client.getDPoPHandle(
        this.capturing(() => undefined),
        keyPair,
      );
  }

  /**
   * The headers for a handshake with `url` (`http(s)://…/live`, the form a proof names).
   * @throws Error when the token is DPoP-bound and this BFF holds no DPoP key (refresh first).
   */
  async headersFor(url: URL, tokens: TokenSet): Promise<HandshakeHeaders> {
    if (tokens.dpopJkt !== undefined && !this.dpop) throw new Error('a DPoP-bound token and no DPoP key');
    let sent: Record<string, string> | undefined;
    const config = this.capturing((headers) => (sent = headers));
    const DPoP = tokens.dpopJkt !== undefined ? this.dpop : undefined;
    await client.fetchProtectedResource(config, tokens.accessToken, url, 'GET', undefined, new Headers(), { DPoP });
    const header = (name: string) => Object.entries(sent ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
    const authorization = header('authorization');
    if (!authorization) throw new Error('openid-client built no Authorization header');
    const dpop = header('dpop');
    return dpop ? { authorization, dpop } : { authorization };
  }

  /** A configuration whose "requests" only hand their headers to `keep`, answered 204 at once. */
  private capturing(keep: (headers: Record<string, string>) => void): client.Configuration {
    const config = new client.Configuration({ issuer: this.issuer }, this.clientId);
    client.allowInsecureRequests(config); // APIs on an internal network speak plain http
    config[client.customFetch] = (_url, options) => {
      keep(options.headers);
      return Promise.resolve(new Response(null, { status: 204 }));
    };
    return config;
  }
}
