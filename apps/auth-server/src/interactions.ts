import { errors, type KoaContextWithOIDC, type KoaMiddleware, type Provider } from 'oidc-provider';
import { checkDevLogin } from './dev-users.js';
import { MAX_ONE_TIME_CODE_FAILURES, type DevOneTimeCodes } from './dev-one-time-codes.js';
import { errorPage, INVALID_CODE_MESSAGE, INVALID_LOGIN_MESSAGE, loginPage, oneTimeCodePage } from './pages.js';
import { readForm } from './read-form.js';
import { ACR_MFA, ACR_PASSWORD, AMR_MFA, AMR_PASSWORD, requestsMfa } from './step-up.js';

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/otp)?$/;

/**
 * The interaction routes oidc-provider sends the browser to (`interactions.url` default,
 * `/interaction/<uid>`), in place of its devInteractions:
 * - `GET /interaction/<uid>`: the login form, or the one-time code form once the password of a
 *   login that needs a second factor was right; for a consent prompt, consent is granted at once
 *   (every registered client is first-party) and the browser goes back to the authorization.
 * - `POST /interaction/<uid>/login`: checks `username`/`password`; a mismatch re-renders the
 *   form (200) with "Invalid username or password". A match ends the login with `acr`
 *   {@link ACR_PASSWORD}, unless it needs a second factor (below): then 303 to the code form.
 * - `POST /interaction/<uid>/otp`: checks `code` against this interaction's dev one-time code;
 *   a match ends the login with `acr` `mfa`, `amr` `pwd otp mfa` and a fresh `auth_time`; a
 *   mismatch re-renders the form with "Invalid one-time code", and the third one ends the
 *   authorization with `access_denied`.
 *
 * A login needs a second factor when the request's `acr_values` names `mfa` (step-up, RFC 9470),
 * or when the session it renews had one: a re-authentication (`max_age`, `prompt=login`) does
 * not quietly lower the session's level.
 */
export function interactionRoutes(provider: Provider, codes: DevOneTimeCodes): KoaMiddleware {
  return async (ctx, next) => {
    const match = INTERACTION_PATH.exec(ctx.path);
    if (!match) return next();
    const [, uid, step] = match;
    ctx.set('cache-control', 'no-store');
    try {
      if (ctx.method === 'GET' && !step) await show(provider, ctx, uid!, codes);
      else if (ctx.method === 'POST' && step === '/login') await submitLogin(provider, ctx, uid!);
      else if (ctx.method === 'POST' && step === '/otp') await submitOneTimeCode(provider, ctx, uid!, codes);
      else ctx.status = 405;
    } catch (error) {
      if (!(error instanceof errors.SessionNotFound)) throw error;
      // an expired interaction, or a link opened without the interaction cookie
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage({
        error: 'login session not found',
        error_description: 'This sign-in page expired or belongs to another browser. Start again from the application.',
      });
    }
  };
}

async function show(provider: Provider, ctx: KoaContextWithOIDC, uid: string, codes: DevOneTimeCodes): Promise<void> {
  const interaction = await interactionFor(provider, ctx, uid);
  if (interaction.prompt.name === 'consent') {
    await grantConsent(provider, ctx, interaction);
    return;
  }
  const clientId = stringParam(interaction.params.client_id);
  const accountId = passwordVerified(interaction);
  ctx.type = 'html';
  ctx.body =
    accountId !== undefined
      ? oneTimeCodePage(uid, { code: codes.codeFor(uid), username: accountId, clientId })
      : loginPage(uid, { clientId });
}

async function submitLogin(provider: Provider, ctx: KoaContextWithOIDC, uid: string): Promise<void> {
  const interaction = await interactionFor(provider, ctx, uid);
  const form = await readForm(ctx.req);
  const username = form?.get('username') ?? '';
  const user = interaction.prompt.name === 'login' ? checkDevLogin(username, form?.get('password') ?? '') : undefined;
  if (!user) {
    ctx.type = 'html';
    ctx.body = loginPage(uid, {
      clientId: stringParam(interaction.params.client_id),
      error: INVALID_LOGIN_MESSAGE,
      username,
    });
    return;
  }
  const login = { accountId: user.sub, acr: ACR_PASSWORD, amr: [...AMR_PASSWORD] };
  if (!needsSecondFactor(interaction)) {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return;
  }
  // the password step's outcome, kept in the interaction (server-side) for the code step: were
  // the browser to resume now, skipping the code, it would get a password login and the policy
  // would ask for `mfa` again. Wrong codes still count: a new password does not reset them
  interaction.result = { ...interaction.result, login };
  await interaction.persist();
  ctx.status = 303; // POST, then GET: reloading the code form does not resubmit the password
  ctx.redirect(`/interaction/${encodeURIComponent(uid)}`);
}

async function submitOneTimeCode(
  provider: Provider,
  ctx: KoaContextWithOIDC,
  uid: string,
  codes: DevOneTimeCodes,
): Promise<void> {
  const interaction = await interactionFor(provider, ctx, uid);
  const accountId = passwordVerified(interaction);
  const form = await readForm(ctx.req);
  if (accountId === undefined) {
    // no password yet in this interaction: a code alone proves nothing
    ctx.status = 303;
    ctx.redirect(`/interaction/${encodeURIComponent(uid)}`);
    return;
  }
  if (codes.matches(uid, form?.get('code') ?? '')) {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
      login: { accountId, acr: ACR_MFA, amr: [...AMR_MFA] }, // ts: now, the fresh auth_time
    });
    ctx.status = 303;
    ctx.redirect(returnTo);
    return;
  }
  const failures = numberOr(interaction.result?.oneTimeCodeFailures, 0) + 1;
  if (failures >= MAX_ONE_TIME_CODE_FAILURES) {
    const returnTo = await provider.interactionResult(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: 'too many wrong one-time codes' },
      { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(returnTo);
    return;
  }
  interaction.result = { ...interaction.result, oneTimeCodeFailures: failures };
  await interaction.persist();
  ctx.type = 'html';
  ctx.body = oneTimeCodePage(uid, {
    code: codes.codeFor(uid),
    username: accountId,
    clientId: stringParam(interaction.params.client_id),
    error: INVALID_CODE_MESSAGE,
  });
}

/**
 * True when this login needs the one-time code after the password: the request asks for `mfa`
 * (`acr_values`), or the session being renewed had `mfa`.
 */
function needsSecondFactor(interaction: Interaction): boolean {
  return requestsMfa(interaction.params.acr_values) || interaction.session?.acr === ACR_MFA;
}

/** The account whose password this interaction checked while it waits for the code, if any. */
function passwordVerified(interaction: Interaction): string | undefined {
  const login = interaction.result?.login as { accountId?: unknown; acr?: unknown } | undefined;
  return interaction.prompt.name === 'login' &&
    needsSecondFactor(interaction) &&
    login?.acr === ACR_PASSWORD &&
    typeof login.accountId === 'string'
    ? login.accountId
    : undefined;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** Grants exactly what the consent prompt reports missing (scopes, claims, API scopes). */
async function grantConsent(provider: Provider, ctx: KoaContextWithOIDC, interaction: Interaction): Promise<void> {
  const { details } = interaction.prompt;
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant =
    existing ??
    new provider.Grant({ accountId: interaction.session!.accountId, clientId: String(interaction.params.client_id) });
  const missingScope = details.missingOIDCScope as string[] | undefined;
  if (missingScope) grant.addOIDCScope(missingScope.join(' '));
  const missingClaims = details.missingOIDCClaims as string[] | undefined;
  if (missingClaims) grant.addOIDCClaims(missingClaims);
  const missingResourceScopes = details.missingResourceScopes as Record<string, string[]> | undefined;
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {}))
    grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
    consent: existing ? {} : { grantId },
  });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

/** The interaction of this browser (by its cookie), which must be the one in the URL. */
async function interactionFor(provider: Provider, ctx: KoaContextWithOIDC, uid: string): Promise<Interaction> {
  const interaction = await provider.interactionDetails(ctx.req, ctx.res);
  if (interaction.uid !== uid) throw new errors.SessionNotFound();
  return interaction;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
