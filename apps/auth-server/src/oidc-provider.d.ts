/**
 * The slice of `oidc-provider` v9 (plain JavaScript, no published types) and of its Koa
 * context that the auth-server uses. Only what is called here is declared; the
 * configuration stays a loose record because the library validates it at start-up.
 * @internal
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The Koa context as oidc-provider hands it to middleware and helpers. */
  export interface KoaContextWithOIDC {
    readonly method: string;
    readonly path: string;
    readonly req: IncomingMessage;
    readonly res: ServerResponse;
    readonly oidc: {
      readonly provider: Provider;
      readonly client?: ClientModel;
      /** The browser's login session at the provider, when it has one; `acr` of its last login. */
      readonly session?: { readonly accountId?: string; readonly acr?: string };
      /** The parameters of the request being served (e.g. `acr_values` of an authorization request). */
      readonly params?: Readonly<Record<string, unknown>>;
      /**
       * Checked request artifacts: `IdTokenHint` once end_session validated `id_token_hint`;
       * at the token endpoint, the `AuthorizationCode` or `RefreshToken` being exchanged.
       */
      readonly entities?: {
        readonly IdTokenHint?: { readonly payload: Record<string, unknown> };
        readonly AuthorizationCode?: AuthenticationSource;
        readonly RefreshToken?: AuthenticationSource;
      };
    };
    status: number;
    body: unknown;
    type: string;
    respond?: boolean;
    get(header: string): string;
    set(header: string, value: string): void;
    redirect(url: string): void;
  }

  /** What an authorization code or refresh token remembers of the login it comes from. */
  export interface AuthenticationSource {
    readonly acr?: string;
    readonly amr?: readonly string[];
    /** Seconds since the epoch. */
    readonly authTime?: number;
  }

  export type KoaMiddleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  /** What `findAccount` returns. */
  export interface Account {
    accountId: string;
    claims(use: string, scope: string): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  export interface ClientModel {
    readonly clientId: string;
    readonly clientAuthMethod: string;
    grantTypeAllowed(grantType: string): boolean;
  }

  /** Access token, refresh token or other artifact as oidc-provider models it. */
  export interface TokenModel {
    readonly kind: string;
    readonly jti: string;
    readonly clientId: string;
    readonly accountId?: string;
    readonly grantId?: string;
    readonly expiration: number;
    readonly scopes: Set<string>;
  }

  export interface GrantModel {
    readonly accountId?: string;
    readonly clientId?: string;
    readonly isExpired: boolean;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface InteractionDetails {
    readonly uid: string;
    readonly grantId?: string;
    readonly params: Record<string, unknown>;
    readonly prompt: { readonly name: string; readonly details: Record<string, unknown> };
    readonly session?: { readonly accountId: string; readonly acr?: string };
    /** What the interaction has resolved so far (`login`, `consent`, `error`); kept by `persist()`. */
    result?: Record<string, unknown>;
    /** Saves the interaction (its `result` included) for the rest of its lifetime. */
    persist(): Promise<unknown>;
  }

  /** The JWT an access token becomes, before it is signed (`formats.customizers.jwt`). */
  export interface StructuredJwt {
    header?: Record<string, unknown>;
    payload: Record<string, unknown>;
  }

  export type Configuration = Record<string, unknown>;

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    readonly Grant: {
      new (properties: { accountId: string; clientId: string }): GrantModel;
      find(id: string): Promise<GrantModel | undefined>;
    };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: KoaMiddleware): this;
    on(event: 'access_token.issued', listener: (token: TokenModel) => void): this;
    on(event: 'server_error', listener: (ctx: KoaContextWithOIDC, error: Error) => void): this;
    pathFor(route: string): string;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
  }

  /** A check of a prompt: true (`REQUEST_PROMPT`) when the prompt must be shown. */
  export class Check {
    static readonly REQUEST_PROMPT: true;
    static readonly NO_NEED_TO_PROMPT: false;
    /** `error`: what a `prompt=none` request gets when the check fails (`interaction_required` if unset). */
    constructor(
      reason: string,
      description: string,
      error: string,
      check: (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>,
    );
  }

  /** A prompt of the interaction policy, with its checks. */
  export interface Prompt {
    readonly name: string;
    readonly checks: Check[] & { add(check: Check, index?: number): void };
  }

  /** Interaction policies (`interactions.policy`): the default one, and the pieces to extend it. */
  export const interactionPolicy: {
    base(): Prompt[] & { get(name: string): Prompt | undefined };
    Check: typeof Check;
  };

  export const errors: {
    SessionNotFound: new (...args: never[]) => Error;
    InvalidTarget: new (description?: string) => Error;
  };

  export default Provider;
}
