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
export { stepUpClaims } from './step-up.js';
export type { StepUpClaimsOptions } from './step-up.js';
export {
  certificateBoundClaims,
  certificateThumbprint,
  forwardedCertificateHeader,
  TestCertificateAuthority,
} from './test-certificate-authority.js';
export type { TestCertificate } from './test-certificate-authority.js';
export { DpopTestKey } from './dpop-test-key.js';
export type { DpopProofOptions, DpopTestAlgorithm } from './dpop-test-key.js';
