import type { RejectionReason } from '../errors/rejection-reason.js';

/** How one check went: `pass`, `fail`, `skip` (an earlier check failed), or `info`. */
export type CheckOutcome = 'pass' | 'fail' | 'skip' | 'info';

/** One line of the doctor's report: a check, its outcome, and what it saw or what to change. */
export interface DoctorCheck {
  readonly check: string;
  readonly outcome: CheckOutcome;
  /** Never the token or a secret. */
  readonly detail: string;
}

/** What an API would do with the token. */
export type DoctorVerdict =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'refused'; readonly reason: RejectionReason }
  /** The authorization server could not be asked, or the configuration is invalid. */
  | { readonly kind: 'unknown'; readonly why: string };

/** The doctor's whole answer: its lines, in the pipeline's order, and the verdict. */
export interface Diagnosis {
  readonly checks: readonly DoctorCheck[];
  readonly verdict: DoctorVerdict;
}

/** The exit status for a verdict: 0 accepted, 1 refused, 2 cannot tell (the contract's). */
export function exitStatusOf(verdict: DoctorVerdict): 0 | 1 | 2 {
  return verdict.kind === 'accepted' ? 0 : verdict.kind === 'refused' ? 1 : 2;
}

/** The last line: `accepted`, `refused: <reason>`, or `cannot tell: <why>`. */
export function verdictLine(verdict: DoctorVerdict): string {
  if (verdict.kind === 'accepted') return 'accepted';
  if (verdict.kind === 'refused') return `refused: ${verdict.reason}`;
  return `cannot tell: ${verdict.why}`;
}

/** A check's line: `<check>: <outcome> - <detail>`. */
export function checkLine(check: DoctorCheck): string {
  return `${check.check}: ${check.outcome}${check.detail ? ` - ${check.detail}` : ''}`;
}
