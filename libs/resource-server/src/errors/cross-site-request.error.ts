/**
 * A state-changing request authenticated by the token cookie, from an origin the API does not
 * trust (or with no `Origin` at all): refused before the token is looked at, 403 with
 * `error` and `reason` `csrf_rejected`, and no `WWW-Authenticate` (the token is not at fault).
 * Written by `BearerErrorFilter`.
 */
export class CrossSiteRequestError extends Error {
  readonly status = 403;
  readonly reason = 'csrf_rejected';
  constructor(readonly description: string) {
    super(description);
    this.name = new.target.name;
  }
}
