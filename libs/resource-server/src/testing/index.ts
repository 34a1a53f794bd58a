export { TestIssuer } from './test-issuer.js';
export type {
  HttpFault,
  IntrospectionFault,
  OutageMode,
  TestIssuerOptions,
  TestKey,
  TestKeyAlgorithm,
  TokenOptions,
} from './test-issuer.js';
export { signJws } from './sign-jws.js';
export { DpopTestKey } from './dpop-test-key.js';
export type { DpopProofOptions, DpopTestAlgorithm } from './dpop-test-key.js';
