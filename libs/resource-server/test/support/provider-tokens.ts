import type { ProviderName } from 'nest-resource-server';

/**
 * The claims of one provider's access token and id token, written from that provider's
 * documentation (cited on each fixture). `iat`, `exp` and the signature come from the test
 * issuer when minted; everything else is the provider's shape, with the API's audience.
 */
export interface ProviderFixture {
  readonly provider: ProviderName;
  /** `iss` in that provider's form. */
  readonly issuer: string;
  /** The API's audience at that provider. */
  readonly audience: string;
  /** The scope and the role the access token grants, where the provider puts them. */
  readonly scope: string;
  readonly role: string;
  /** What the API configures besides `provider` (Auth0: the namespaced claim of its roles). */
  readonly rolesClaim?: string;
  /** The JOSE header's `typ` the provider writes. */
  readonly typ: string;
  readonly accessToken: Record<string, unknown>;
  /** An id token of the same login, carrying the API's audience: it must never open the API. */
  readonly idToken: Record<string, unknown>;
}

export const PROVIDER_FIXTURES: readonly ProviderFixture[] = [
  // https://fusionauth.io/docs/lifecycle/authenticate-users/oauth/tokens (access token claims,
  // id token claims; aud is the client id, the same in both tokens; header typ "JWT")
  {
    provider: 'fusionauth',
    issuer: 'https://auth.example.com',
    audience: '85a03867-dccf-4882-adde-1a79aeec50df',
    scope: 'todo:write',
    role: 'admin',
    typ: 'JWT',
    accessToken: {
      aud: '85a03867-dccf-4882-adde-1a79aeec50df',
      sub: '2ba8da5e-ba1b-4a3a-9a3e-6d7e1d4d7f8a',
      jti: 'f1f5e0d3-8f7e-4f52-9b0a-3b1f4c6d7e8f',
      authenticationType: 'PASSWORD',
      email: 'richard@example.com',
      email_verified: true,
      applicationId: '85a03867-dccf-4882-adde-1a79aeec50df',
      scope: 'openid offline_access todo:write',
      roles: ['admin', 'user'],
      sid: '7d3c3e0e-2f3b-4f7b-8a6e-1c0c2a9f4d5e',
      auth_time: 1767225600,
      tid: 'd7d09513-a3f5-401c-9685-34ab6c552453',
      gty: ['authorization_code'],
    },
    idToken: {
      aud: '85a03867-dccf-4882-adde-1a79aeec50df',
      sub: '2ba8da5e-ba1b-4a3a-9a3e-6d7e1d4d7f8a',
      jti: '3a6a2e8c-4a8b-4b55-a0a1-6a8c2b0e9d11',
      authenticationType: 'PASSWORD',
      email: 'richard@example.com',
      email_verified: true,
      at_hash: 'wfgvmE9VxjAudsl9lc6TqA',
      c_hash: 'IUz5nJyPD5gxdZ0hh6ruTQ',
      nonce: 'n-0S6_WzA2Mj',
      auth_time: 1767225600,
      tid: 'd7d09513-a3f5-401c-9685-34ab6c552453',
    },
  },
  // https://www.keycloak.org/docs-api/26.2.0/javadocs/org/keycloak/representations/AccessToken.html
  // (realm_access, resource_access.<client>.roles, scope; IDToken adds at_hash, nonce) and
  // https://www.keycloak.org/docs/latest/server_admin/#_oidc_token_role_mappings ; Keycloak
  // writes a typ claim: "Bearer" in access tokens, "ID" in id tokens. The client id has dots.
  {
    provider: 'keycloak',
    issuer: 'https://keycloak.example.com/realms/acme',
    audience: 'com.example.todo-api',
    scope: 'todo:write',
    role: 'admin',
    typ: 'JWT',
    accessToken: {
      jti: 'onrtac:0b4f1b9e-1f1c-4c7c-8d2e-2a4d5f6b7c8d',
      aud: ['com.example.todo-api', 'account'],
      sub: 'f0c0e3b4-1a2b-4c3d-9e8f-0a1b2c3d4e5f',
      typ: 'Bearer',
      azp: 'todo-web',
      sid: '5c2a8b6e-7d9f-4e1a-b3c4-d5e6f7a8b9c0',
      acr: '1',
      'allowed-origins': ['https://todo.example.com'],
      realm_access: { roles: ['offline_access', 'uma_authorization', 'default-roles-acme'] },
      resource_access: {
        'com.example.todo-api': { roles: ['admin'] },
        account: { roles: ['manage-account', 'view-profile'] },
      },
      scope: 'openid profile email todo:write',
      email_verified: true,
      preferred_username: 'alice',
    },
    idToken: {
      aud: 'com.example.todo-api',
      sub: 'f0c0e3b4-1a2b-4c3d-9e8f-0a1b2c3d4e5f',
      typ: 'ID',
      azp: 'com.example.todo-api',
      nonce: 'n-0S6_WzA2Mj',
      sid: '5c2a8b6e-7d9f-4e1a-b3c4-d5e6f7a8b9c0',
      at_hash: 'Qm9sZUhhc2hWYWx1ZQ',
      acr: '1',
      email_verified: true,
      preferred_username: 'alice',
    },
  },
  // https://auth0.com/docs/secure/tokens/access-tokens/access-token-profiles (access_token_authz
  // dialect: permissions array) ; https://auth0.com/docs/get-started/apis/enable-role-based-access-control-for-apis ;
  // https://auth0.com/docs/secure/tokens/id-tokens/id-token-structure (id token: aud is the client id)
  {
    provider: 'auth0',
    issuer: 'https://acme.us.auth0.com/',
    audience: 'https://todo.example.com/api',
    scope: 'write:todos',
    role: 'admin',
    rolesClaim: 'https://todo.example.com/roles',
    typ: 'JWT',
    accessToken: {
      sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
      aud: ['https://todo.example.com/api', 'https://acme.us.auth0.com/userinfo'],
      azp: 'Yh3qV0mR3sQ0cW1tX7nKp2Lz',
      scope: 'openid profile email',
      permissions: ['read:todos', 'write:todos'],
      'https://todo.example.com/roles': ['admin'],
    },
    idToken: {
      sub: 'auth0|5f7c8ec7c33c6c004bbafe82',
      aud: 'https://todo.example.com/api',
      name: 'Alice',
      email: 'alice@example.com',
      email_verified: true,
      nonce: 'n-0S6_WzA2Mj',
      sid: 'Cmzgp8ouSQFyd7vHiRt3vyeyB0iUJx0W',
    },
  },
  // https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference (v2.0:
  // scp space separated, roles array, azp, tid, oid, ver) ;
  // https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference (nonce, aud = client id)
  {
    provider: 'entra',
    issuer: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0',
    audience: '6e74172b-be56-4843-9ff4-e66a39bb12e3',
    scope: 'Todo.Write',
    role: 'Todo.Admin',
    typ: 'JWT',
    accessToken: {
      aud: '6e74172b-be56-4843-9ff4-e66a39bb12e3',
      azp: '1e3a2f4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b',
      azpacr: '0',
      name: 'Abe Lincoln',
      oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
      preferred_username: 'abeli@microsoft.com',
      rh: 'I',
      scp: 'Todo.Read Todo.Write',
      roles: ['Todo.Admin'],
      sub: 'HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ',
      tid: '9188040d-6c67-4c5b-b112-36a304b66dad',
      uti: 'fqiBqXLPj0eQa82S-IYFAA',
      ver: '2.0',
    },
    idToken: {
      aud: '6e74172b-be56-4843-9ff4-e66a39bb12e3',
      name: 'Abe Lincoln',
      nonce: '12345',
      oid: '690222be-ff1a-4d56-abd1-7e4f7d38e474',
      preferred_username: 'abeli@microsoft.com',
      rh: 'I',
      sub: 'HKZpfaHyWadeOouYlitjrI-KffTm222X5rrV3xDqfKQ',
      tid: '9188040d-6c67-4c5b-b112-36a304b66dad',
      uti: 'fqiBqXLPj0eQa82S-IYFAA',
      ver: '2.0',
    },
  },
  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
  // (no aud: client_id; token_use "access"; cognito:groups; scope) ;
  // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html
  // (token_use "id", aud = the app client id)
  {
    provider: 'cognito',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE',
    audience: '1example23456789',
    scope: 'todo/write',
    role: 'admins',
    typ: 'JWT',
    accessToken: {
      sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      'cognito:groups': ['admins'],
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin openid todo/write',
      auth_time: 1767225600,
      client_id: '1example23456789',
      origin_jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      event_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      username: 'my-test-user',
    },
    idToken: {
      sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      'cognito:groups': ['admins'],
      email_verified: true,
      'cognito:username': 'my-test-user',
      origin_jti: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      aud: '1example23456789',
      event_id: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
      token_use: 'id',
      auth_time: 1767225600,
      email: 'my-test-user@example.com',
    },
  },
];
