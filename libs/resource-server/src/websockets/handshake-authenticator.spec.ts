import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { VerifiedToken } from '../claims/access-token-claims.js';
import type { BearerErrorFilter } from '../errors/bearer-error.filter.js';
import type { ResourceServerTelemetry } from '../telemetry/resource-server-telemetry.js';
import type { RequestVerification } from '../verification/verify-request.js';
import { HandshakeAuthenticator } from './handshake-authenticator.js';

const NOW_MS = Date.UTC(2030, 0, 1);
const DAY_S = 24 * 3600;

/** Only the times matter to watchExpiry(): the other stages are never called. */
function authenticator(clockToleranceSeconds: number): HandshakeAuthenticator {
  return new HandshakeAuthenticator(
    {} as RequestVerification,
    { clock: () => Date.now(), clockToleranceSeconds },
    {} as BearerErrorFilter,
    {} as ResourceServerTelemetry,
  );
}

const tokenExpiringAt = (exp: number | undefined): VerifiedToken =>
  ({ token: 't', strategy: 'jwt', claims: { sub: 'u', ...(exp === undefined ? {} : { exp }) } }) as VerifiedToken;

describe('HandshakeAuthenticator', () => {
  describe('watchExpiry', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: NOW_MS });
    });
    afterEach(() => {
      jest.useRealTimers();
    });

    it('calls back once exp plus the tolerance has passed, not before', () => {
      const expired = jest.fn();
      authenticator(30).watchExpiry(tokenExpiringAt(NOW_MS / 1000 + 60), expired);
      jest.advanceTimersByTime(89_999);
      expect(expired).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(expired).toHaveBeenCalledTimes(1);
      jest.advanceTimersByTime(DAY_S * 1000);
      expect(expired).toHaveBeenCalledTimes(1);
    });

    it('calls back at once for a token already expired', () => {
      const expired = jest.fn();
      authenticator(0).watchExpiry(tokenExpiringAt(NOW_MS / 1000 - 1), expired);
      jest.advanceTimersByTime(0);
      expect(expired).toHaveBeenCalledTimes(1);
    });

    it("waits past setTimeout's limit for an exp 40 days away, then calls back", () => {
      const expired = jest.fn();
      authenticator(0).watchExpiry(tokenExpiringAt(NOW_MS / 1000 + 40 * DAY_S), expired);
      jest.advanceTimersByTime(30 * DAY_S * 1000); // a delay over 2^31-1 ms would have fired at once
      expect(expired).not.toHaveBeenCalled();
      jest.advanceTimersByTime(10 * DAY_S * 1000);
      expect(expired).toHaveBeenCalledTimes(1);
    });

    it('never calls back once cancelled (the connection closed)', () => {
      const expired = jest.fn();
      const cancel = authenticator(0).watchExpiry(tokenExpiringAt(NOW_MS / 1000 + 5), expired);
      cancel();
      jest.advanceTimersByTime(10_000);
      expect(expired).not.toHaveBeenCalled();
    });

    it('never calls back for a token without exp', () => {
      const expired = jest.fn();
      authenticator(0).watchExpiry(tokenExpiringAt(undefined), expired);
      jest.advanceTimersByTime(365 * DAY_S * 1000);
      expect(expired).not.toHaveBeenCalled();
    });
  });
});
