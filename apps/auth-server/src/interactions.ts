import { errors, type KoaContextWithOIDC, type KoaMiddleware, type Provider } from 'oidc-provider';
import { checkDevLogin } from './dev-users.js';
import { errorPage, INVALID_LOGIN_MESSAGE, loginPage } from './pages.js';
import { readForm } from './read-form.js';

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/;

/**
 * The interaction routes oidc-provider sends the browser to (`interactions.url` default,
 * `/interaction/<uid>`), in place of its devInteractions:
 * - `GET /interaction/<uid>`: the login form; for a consent prompt, consent is granted at once
 *   (every registered client is first-party) and the browser goes back to the authorization.
 * - `POST /interaction/<uid>/login`: checks `username`/`password`; a mismatch re-renders the
 *   form (200) with "Invalid username or password".
 */
export function interactionRoutes(provider: Provider): KoaMiddleware {
  return async (ctx, next) => {
    const match = INTERACTION_PATH.exec(ctx.path);
    if (!match) return next();
    const [, uid, login] = match;
    ctx.set('cache-control', 'no-store');
    try {
      if (ctx.method === 'GET' && !login) await show(provider, ctx, uid!);
      else if (ctx.method === 'POST' && login) await submitLogin(provider, ctx, uid!);
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

async function show(provider: Provider, ctx: KoaContextWithOIDC, uid: string): Promise<void> {
  const interaction = await interactionFor(provider, ctx, uid);
  if (interaction.prompt.name === 'consent') {
    await grantConsent(provider, ctx, interaction);
    return;
  }
  ctx.type = 'html';
  ctx.body = loginPage(uid, { clientId: stringParam(interaction.params.client_id) });
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
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: user.sub } });
  ctx.status = 303;
  ctx.redirect(returnTo);
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
