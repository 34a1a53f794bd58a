/**
 * Why a request was refused: the `reason` member of every 400, 401 and 403 body, and of the
 * log line (the sample-apps contract, second edition). A client acts on it: `token_expired`
 * alone means "refresh"; every other 401 means "log in again". Values are only ever added.
 */
export type RejectionReason =
  | 'token_missing'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_malformed'
  | 'signature_invalid'
  | 'algorithm_not_allowed'
  | 'key_unknown'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'token_type_not_accepted'
  | 'token_inactive'
  | 'token_bound'
  | 'token_invalid'
  | 'two_tokens'
  | 'bad_header'
  | 'scope_missing'
  | 'role_missing'
  | 'claim_missing'
  | 'csrf_rejected'
  | 'dpop_proof_invalid'
  | 'dpop_nonce_required'
  | 'dpop_required'
  | 'authentication_insufficient';
