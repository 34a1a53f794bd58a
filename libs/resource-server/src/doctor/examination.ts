import type { KeyObject } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { compileRequirements, rolesOf, scopesOf, type RouteRequirement } from '../authorization/claim-checks.js';
import { claimReaderFor } from '../authorization/claim-sources.js';
import type { AccessTokenClaims } from '../claims/access-token-claims.js';
import { hasAudience, isIdToken } from '../claims/registered-claims.validator.js';
import { checkTimes } from '../claims/time-rules.js';
import type { ResolvedOptions } from '../config/resource-server-options.js';
import { AuthorizationServerMetadataSource } from '../discovery/authorization-server-metadata.js';
import { AuthorizationServerUnavailableError } from '../errors/authorization-server-unavailable.error.js';
import { BearerTokenError } from '../errors/bearer-token.errors.js';
import type { RejectionReason } from '../errors/rejection-reason.js';
import type { IntrospectionResponse } from '../introspection/token-introspector.js';
import { TokenIntrospector } from '../introspection/token-introspector.js';
import { isJwsCompact, parseJoseHeader, type JoseHeader } from '../jwt/jose-header.validator.js';
import { JwksKeyStore } from '../jwt/jwks-key-store.js';
import { IssuerVerifiers } from '../module/issuer-verifiers.js';
import { RESOLVED_OPTIONS } from '../module/resource-server.tokens.js';
import { unverifiedIssuer } from '../verification/issuer-routing.verifier.js';
import { TokenVerifier } from '../verification/token-verifier.js';
import { adviceFor, boundTokenAdvice, describeTimes } from './advice.js';
import { decodePayload, describeHeader, describeHeaderSafely, describeRoute } from './describe.js';
import type { Diagnosis, DoctorCheck, DoctorVerdict } from './diagnosis.js';
import type { DoctorRoute } from './token-doctor.js';

/** One diagnosis: the module's parts, and the lines written so far. */
/** @internal */
export class Examination {
  /** The module's options; with several issuers, as seen by the token's issuer once it is picked. */
  private options: ResolvedOptions;
  /** The key store of the token's issuer. */
  private keyStore?: JwksKeyStore;
  private failed = false;

  constructor(
    private readonly context: INestApplicationContext,
    private readonly token: string,
    private readonly route: DoctorRoute,
    private readonly checks: DoctorCheck[],
  ) {
    this.options = context.get<ResolvedOptions>(RESOLVED_OPTIONS);
  }

  async run(): Promise<Diagnosis> {
    const local = this.options.strategy === 'jwt' || (this.options.strategy === 'auto' && isJwsCompact(this.token));
    if (this.options.strategy === 'auto') {
      this.add('strategy', 'info', local ? 'auto: a JWS, validated locally' : 'auto: not a JWS, introspected');
    }
    if (local && !this.pickIssuer()) {
      this.skip('discovery', 'jwks', 'header', 'key', 'signature', 'exp/nbf/iat', 'aud', 'id-token markers', 'cnf');
      return { checks: this.checks, verdict: await this.pipelineVerdict() };
    }
    const reachable = local ? await this.fetchKeys() : await this.findIntrospectionEndpoint();
    const verdict = await this.pipelineVerdict();
    if (verdict.kind === 'unknown' && !reachable) return { checks: this.checks, verdict };
    const claims = local ? await this.jwtChecks(verdict) : await this.introspectionChecks(verdict);
    if (!claims) this.skip('cnf');
    // the line only: the binding rule in the module's verifier already refused a bound token
    else this.boundCheck(claims);
    const hasRoute = Boolean(this.route.scopes?.length || this.route.roles?.length);
    if ((verdict.kind !== 'accepted' || !claims) && hasRoute) this.skip('route');
    if (verdict.kind === 'refused' && !this.failed) {
      // a rule these lines do not spell out (an extension, a preset): the pipeline's word stands
      this.add('verifier', 'fail', `${verdict.reason}: ${adviceFor(verdict.reason, this.options, claims)}`);
    }
    if (verdict.kind !== 'accepted') return { checks: this.checks, verdict };
    return { checks: this.checks, verdict: claims ? this.routeChecks(claims) : verdict };
  }

  /** What the module's verifier says: the one verdict. */
  private async pipelineVerdict(): Promise<DoctorVerdict> {
    const verifier = this.context.get<TokenVerifier>(TokenVerifier);
    try {
      await verifier.verify(this.token, { source: 'header', method: 'GET', url: '/' });
      return { kind: 'accepted' };
    } catch (error) {
      if (error instanceof BearerTokenError) return { kind: 'refused', reason: error.reason };
      if (error instanceof AuthorizationServerUnavailableError) {
        return { kind: 'unknown', why: `authorization server unavailable (${error.reason})` };
      }
      throw error;
    }
  }

  /**
   * Several issuers: the token's unverified `iss` picks one, as the module's router does; the
   * lines after this one then speak of that issuer's discovery, keys, audience and algorithms.
   * False when no listed issuer is the token's (the pipeline refuses it before any fetch).
   */
  private pickIssuer(): boolean {
    const several = this.context.get<IssuerVerifiers | null>(IssuerVerifiers, { strict: false });
    if (!several) return true;
    const iss = unverifiedIssuer(this.token);
    const listed = this.options.issuers.map((i) => i.issuer);
    const index = iss === undefined ? -1 : listed.indexOf(iss);
    if (index === -1) {
      const names = this.options.issuerResolver ? 'the issuer resolver decides' : listed.join(', ');
      const read = iss === undefined ? 'the token has no readable iss' : `iss ${JSON.stringify(iss)}`;
      this.add('issuer', this.options.issuerResolver ? 'info' : 'fail', `${read}; OAUTH_ISSUER lists ${names}`);
      if (!this.options.issuerResolver) this.failed = true;
      return false;
    }
    const issuer = this.options.issuers[index]!;
    this.add('issuer', 'pass', `iss ${JSON.stringify(iss)}: issuer ${index + 1} of ${listed.length} in OAUTH_ISSUER`);
    this.keyStore = several.keyStores.get(issuer.issuer);
    this.options = {
      ...this.options,
      issuer: issuer.issuer,
      audiences: issuer.audiences,
      algorithms: issuer.algorithms,
      jwksUri: issuer.jwksUri,
    };
    return true;
  }

  private keys(): JwksKeyStore {
    return this.keyStore ?? this.context.get(JwksKeyStore);
  }

  private async fetchKeys(): Promise<boolean> {
    if (!(await this.discovery('jwks_uri', this.options.jwksUri))) return false;
    const keys = this.keys();
    await keys.ensureFetched();
    const status = keys.status();
    if (status.keysFetched) {
      this.add('jwks', 'pass', `${status.keyCount} signing key(s) with a kid`);
      return true;
    }
    this.add(
      'jwks',
      'fail',
      `${status.lastFailure ?? 'no key'}: check OAUTH_JWKS_URI or the issuer's jwks_uri, and that this machine reaches it`,
    );
    return false;
  }

  private async findIntrospectionEndpoint(): Promise<boolean> {
    return this.discovery('introspection_endpoint', this.options.introspection?.endpoint);
  }

  /** OpenID discovery, unless the endpoint it would give is configured. */
  private async discovery(
    field: 'jwks_uri' | 'introspection_endpoint',
    configured: string | undefined,
  ): Promise<boolean> {
    if (configured) {
      this.add('discovery', 'skip', `${field} configured: ${configured}`);
      return true;
    }
    // the key store's own discovery for keys (the token's issuer's, fetched once for both)
    const source: AuthorizationServerMetadataSource =
      field === 'jwks_uri'
        ? this.keys().discovery
        : this.context.get(AuthorizationServerMetadataSource, { strict: false });
    try {
      const metadata = await source.get();
      if (!metadata[field]) {
        this.add('discovery', 'fail', `${source.url} has no ${field}: configure it`);
        return false;
      }
      this.add('discovery', 'pass', `${source.url}: ${field} ${metadata[field]}`);
      return true;
    } catch (error) {
      const reason = error instanceof AuthorizationServerUnavailableError ? error.reason : 'discovery_failed';
      this.add('discovery', 'fail', `${source.url}: ${reason}; check OAUTH_ISSUER and that this machine reaches it`);
      return false;
    }
  }

  /** The JWT's checks, each by the rule function the verifier uses; the claims when readable. */
  private async jwtChecks(verdict: DoctorVerdict): Promise<AccessTokenClaims | undefined> {
    const reason = verdict.kind === 'refused' ? verdict.reason : undefined;
    let header: JoseHeader;
    try {
      header = parseJoseHeader(this.token, {
        algorithms: this.options.algorithms,
        hmacConfigured: this.options.hmacKey !== undefined,
        requireAccessTokenType: this.options.requireAccessTokenType,
      });
      this.add('header', 'pass', describeHeader(header));
    } catch (error) {
      this.refusal('header', error, describeHeaderSafely(this.token));
      this.skip('key', 'signature', 'exp/nbf/iat', 'iss', 'aud', 'id-token markers');
      return undefined;
    }
    if (!(await this.keyCheck(header))) {
      this.skip('signature', 'exp/nbf/iat', 'iss', 'aud', 'id-token markers');
      return undefined;
    }
    const claims = decodePayload(this.token);
    if (reason === 'signature_invalid' || !claims) {
      this.add('signature', 'fail', adviceFor(reason ?? 'token_malformed', this.options, claims));
      this.skip('exp/nbf/iat', 'iss', 'aud', 'id-token markers');
      return undefined;
    }
    this.add('signature', 'pass', `verified with ${header.alg}`);
    this.claimChecks(claims, true);
    return claims;
  }

  private async keyCheck(header: JoseHeader): Promise<boolean> {
    if (header.alg.startsWith('HS')) {
      this.add('key', 'pass', 'the shared secret (OAUTH_HMAC_SECRET)');
      return true;
    }
    try {
      const key: KeyObject = await this.keys().key(header.kid!, header.alg);
      this.add('key', 'pass', `kid ${JSON.stringify(header.kid)} in the JWKS (${key.asymmetricKeyType})`);
      return true;
    } catch (error) {
      if (error instanceof AuthorizationServerUnavailableError) {
        this.add('key', 'fail', `cannot tell: ${error.reason}`);
      } else {
        this.refusal('key', error);
      }
      return false;
    }
  }

  /** Times, `iss`, `aud`, id-token markers: the registered-claims validator's rules, one line each. */
  private claimChecks(claims: AccessTokenClaims, jwt: boolean): void {
    const record = claims as Record<string, unknown>;
    try {
      checkTimes(record, this.options, jwt);
      this.add('exp/nbf/iat', 'pass', describeTimes(record, this.options));
    } catch (error) {
      this.refusal('exp/nbf/iat', error, describeTimes(record, this.options));
      this.skip('iss', 'aud', 'id-token markers');
      return;
    }
    if ((claims.iss !== undefined || jwt) && claims.iss !== this.options.issuer) {
      this.add('iss', 'fail', adviceFor('issuer_mismatch', this.options, claims));
      this.failed = true;
      this.skip('aud', 'id-token markers');
      return;
    }
    this.add('iss', 'pass', claims.iss === undefined ? 'not in the response' : JSON.stringify(claims.iss));
    if (!hasAudience(claims.aud, this.options.audiences)) {
      this.add('aud', 'fail', adviceFor('audience_mismatch', this.options, claims));
      this.failed = true;
      this.skip('id-token markers');
      return;
    }
    this.add('aud', 'pass', JSON.stringify(claims.aud));
    if (isIdToken(record)) {
      this.add('id-token markers', 'fail', adviceFor('token_type_not_accepted', this.options, claims));
      this.failed = true;
      return;
    }
    this.add('id-token markers', 'pass', 'none (at_hash, c_hash, s_hash, nonce alone, token_use, typ ID)');
  }

  /** RFC 7662: what the endpoint says, then the same claim rules. */
  private async introspectionChecks(verdict: DoctorVerdict): Promise<AccessTokenClaims | undefined> {
    if (verdict.kind === 'unknown') {
      this.add('introspection', 'fail', `cannot tell: ${verdict.why}; check the endpoint and OAUTH_CLIENT_ID/SECRET`);
      return undefined;
    }
    let response: IntrospectionResponse;
    try {
      response = await this.context.get<TokenIntrospector>(TokenIntrospector).introspect(this.token);
    } catch (error) {
      const reason = error instanceof AuthorizationServerUnavailableError ? error.reason : 'introspection_failed';
      this.add('introspection', 'fail', `cannot tell: ${reason}`);
      return undefined;
    }
    if (response.active !== true) {
      this.add('introspection', 'fail', adviceFor('token_inactive', this.options, undefined));
      this.failed = true;
      return undefined;
    }
    const type = typeof response.token_type === 'string' ? `, token_type ${response.token_type}` : '';
    this.add('introspection', 'pass', `active: true${type}`);
    if (verdict.kind === 'refused' && verdict.reason === 'token_type_not_accepted' && !isIdToken(response)) {
      this.add('token_type', 'fail', adviceFor('token_type_not_accepted', this.options, response));
      this.failed = true;
      return undefined;
    }
    this.claimChecks(response, false);
    return response;
  }

  /** `cnf` (RFC 7800): a bound token needs its proof, which a bare token never has. */
  private boundCheck(claims: AccessTokenClaims): void {
    if (this.failed) {
      this.skip('cnf');
      return;
    }
    const cnf = claims.cnf;
    if (cnf === undefined) {
      this.add('cnf', 'pass', 'none: a bearer token');
      return;
    }
    this.add('cnf', 'fail', `token_bound: ${boundTokenAdvice(cnf)}`);
    this.failed = true;
  }

  /** The route's scopes and roles, by the guard's own compiled check. */
  private routeChecks(claims: AccessTokenClaims): DoctorVerdict {
    const requirements: RouteRequirement[] = [];
    if (this.route.scopes?.length) requirements.push({ kind: 'scope', scopes: this.route.scopes });
    if (this.route.roles?.length) requirements.push({ kind: 'role', roles: this.route.roles });
    if (requirements.length === 0) return { kind: 'accepted' };
    // the guard's reader: a preset's claims (auth0 permissions, keycloak realm and client roles)
    const { claimSources, rolesClaim } = this.options;
    const reader = claimSources && claimReaderFor(claimSources);
    try {
      compileRequirements(requirements, rolesClaim, undefined, reader)(claims);
      this.add('route', 'pass', describeRoute(this.route));
      return { kind: 'accepted' };
    } catch (error) {
      const reason: RejectionReason = error instanceof BearerTokenError ? error.reason : 'token_invalid';
      const held =
        reason === 'scope_missing'
          ? `scopes held: ${[...(reader ? reader.scopes(claims) : scopesOf(claims))].join(' ') || 'none'}; `
          : reason === 'role_missing'
            ? `roles held: ${(reader ? reader.roles(claims) : rolesOf(claims, rolesClaim)).join(', ') || 'none'}; `
            : '';
      this.add('route', 'fail', `${describeRoute(this.route)}: ${held}${adviceFor(reason, this.options, claims)}`);
      return { kind: 'refused', reason };
    }
  }

  private refusal(check: string, error: unknown, seen?: string): void {
    if (!(error instanceof BearerTokenError)) throw error;
    const advice = adviceFor(error.reason, this.options, undefined);
    this.add(check, 'fail', [seen, `${error.reason}: ${advice}`].filter(Boolean).join('; '));
    this.failed = true;
  }

  private skip(...names: string[]): void {
    for (const check of names) this.add(check, 'skip', 'an earlier check failed');
  }

  private add(check: string, outcome: DoctorCheck['outcome'], detail: string): void {
    this.checks.push({ check, outcome, detail });
  }
}
