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
      /** The browser's login session at the provider, when it has one. */
      readonly session?: { readonly accountId?: string };
      /** Checked request artifacts; `IdTokenHint` once end_session validated `id_token_hint`. */
      readonly entities?: { readonly IdTokenHint?: { readonly payload: Record<string, unknown> } };
    };
    status: number;
    body: unknown;
    type: string;
    respond?: boolean;
    get(header: string): string;
    set(header: string, value: string): void;
    redirect(url: string): void;
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
    readonly session?: { readonly accountId: string };
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
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>): Promise<string>;
  }

  export const errors: {
    SessionNotFound: new (...args: never[]) => Error;
    InvalidTarget: new (description?: string) => Error;
  };

  export default Provider;
}
