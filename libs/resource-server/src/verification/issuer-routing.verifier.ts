import { LRUCache } from 'lru-cache';
import type { VerifiedToken } from '../claims/access-token-claims.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { InvalidTokenError } from '../errors/bearer-token.errors.js';
import { isPending, whenAnswered, type TokenVerifier, type VerificationContext } from './token-verifier.js';

/** What the router knows of the accepted issuers. */
export interface IssuerRoutingPolicy {
  /** The verifier of each issuer known at start-up, by `iss`. */
  readonly verifiers: ReadonlyMap<string, TokenVerifier>;
  /**
   * Dynamic tenants: the verifier for an `iss` not listed, or undefined to refuse it. Must not
   * call any server for an issuer it refuses. Its verifiers are kept, one per `iss`, the
   * `maxResolved` most recently used of them.
   */
  readonly resolve?: (iss: string) => TokenVerifier | undefined | PromiseLike<TokenVerifier | undefined>;
  /** Most resolved issuers' verifiers kept (least recently used dropped first). Default: 1000. */
  readonly maxResolved?: number;
  /**
   * The JOSE header checks, run before a token of no accepted issuer is refused, so that the
   * reason names the first check that fails (header, then key, ..., then `iss`).
   */
  readonly checkHeader: (token: string) => void;
}

/**
 * Several issuers: a JWT's `iss`, read from its payload before anything is verified, picks
 * that issuer's verifier (its own discovery, JWKS, key cache and fetch limit), by exact match.
 * A token of no accepted issuer is `invalid_token` (`issuer_mismatch`) and costs no request
 * to any server. The chosen verifier then checks everything, `iss` included, on the signed
 * payload. One issuer: the module does not use this class at all.
 */
export class IssuerRoutingVerifier implements TokenVerifier {
  // bounded: a resolver accepting a pattern (any tenant id) must not let tokens naming ever
  // new issuers grow the process without end; a dropped issuer is resolved again when it returns
  private readonly resolved: LRUCache<string, TokenVerifier>;
  private readonly resolving = new Map<string, PromiseLike<TokenVerifier | undefined>>();

  constructor(private readonly policy: IssuerRoutingPolicy) {
    this.resolved = new LRUCache({ max: policy.maxResolved ?? 1000 });
  }

  verify(token: string, context: VerificationContext): VerifiedToken | Promise<VerifiedToken> {
    const iss = unverifiedIssuer(token);
    if (iss === undefined) return this.refuse(token, 'token_malformed');
    const verifier = this.policy.verifiers.get(iss) ?? this.resolved.get(iss);
    if (verifier) return verifier.verify(token, context);
    if (!this.policy.resolve) return this.refuse(token, 'issuer_mismatch');
    return whenAnswered(this.resolve(iss), (found) =>
      found ? found.verify(token, context) : this.refuse(token, 'issuer_mismatch'),
    );
  }

  private resolve(iss: string): TokenVerifier | undefined | PromiseLike<TokenVerifier | undefined> {
    const pending = this.resolving.get(iss);
    if (pending) return pending;
    let answer: TokenVerifier | undefined | PromiseLike<TokenVerifier | undefined>;
    try {
      answer = this.policy.resolve!(iss);
    } catch (error) {
      throw resolverFailed(error);
    }
    if (!isPending(answer)) return this.keep(iss, answer);
    const shared = Promise.resolve(answer).then(
      (found) => this.keep(iss, found),
      (error: unknown) => {
        throw resolverFailed(error);
      },
    );
    const settled = shared.finally(() => this.resolving.delete(iss));
    this.resolving.set(iss, settled);
    return settled;
  }

  // a refusal is not kept: a tenant added later is found on its first token
  private keep(iss: string, found: TokenVerifier | undefined): TokenVerifier | undefined {
    if (found) this.resolved.set(iss, found);
    return found;
  }

  private refuse(token: string, reason: 'token_malformed' | 'issuer_mismatch'): never {
    this.policy.checkHeader(token);
    throw reason === 'token_malformed'
      ? new InvalidTokenError('token payload is not a JSON object with iss', 'token_malformed')
      : new InvalidTokenError('token issuer is not accepted', 'issuer_mismatch');
  }
}

/** The `iss` of a compact JWS's payload, unverified; undefined when there is none to read. @internal */
export function unverifiedIssuer(token: string): string | undefined {
  const start = token.indexOf('.') + 1;
  const end = token.indexOf('.', start);
  if (start === 0 || end === -1) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.slice(start, end), 'base64url').toString('utf8'));
    const iss = (payload as { iss?: unknown } | null)?.iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

function resolverFailed(error: unknown): AuthorizationServerUnavailableError {
  if (error instanceof AuthorizationServerUnavailableError) return error;
  return new AuthorizationServerUnavailableError('issuer resolver failed', 'issuer_resolver_failed', { cause: error });
}
