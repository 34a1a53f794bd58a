import { EACH_AUDIENCE, type ClaimPath, type ProviderPreset } from './presets/provider-preset.js';
import { PROVIDER_PRESETS, type ProviderName } from './presets/provider-presets.js';
import type { ResolvedOptions } from './resource-server-options.js';

type ResolvedProvider = Pick<ResolvedOptions, 'provider' | 'claimSources' | 'claimRules' | 'audienceFallbackClaim'>;

/**
 * Turns the `provider` option into what the verifiers and the guard read: the preset's
 * claim rules and audience fallback, and where scopes and roles come from, with
 * {@link EACH_AUDIENCE} expanded to every accepted audience and `rolesClaim` (when given)
 * in place of the preset's roles. The default presets leave `claimSources` undefined: the
 * guard then reads `scope`/`scp` and `rolesClaim` as it always has.
 * @internal
 */
export function resolveProvider(
  input: ProviderName | ProviderPreset | undefined,
  rolesClaim: string | undefined,
  audiences: Iterable<string>,
  problem: (option: string, text: string) => void,
): ResolvedProvider {
  let preset: ProviderPreset;
  if (input === undefined) preset = PROVIDER_PRESETS.generic;
  else if (typeof input === 'string' && Object.hasOwn(PROVIDER_PRESETS, input)) {
    preset = PROVIDER_PRESETS[input as ProviderName];
  } else if (isPreset(input)) preset = input;
  else {
    const names = Object.keys(PROVIDER_PRESETS).join(', ');
    problem('provider', `expected one of ${names} or a ProviderPreset, got ${show(input)}`);
    preset = PROVIDER_PRESETS.generic;
  }
  const builtInDefault = preset === PROVIDER_PRESETS.generic || preset === PROVIDER_PRESETS.fusionauth;
  const claimRules = preset.claimRules?.length ? preset.claimRules : undefined;
  const resolved = { provider: preset.name, claimRules, audienceFallbackClaim: preset.audienceFallbackClaim };
  if (builtInDefault) return resolved;
  const accepted = [...new Set(audiences)];
  const roles: ClaimPath[] =
    rolesClaim !== undefined
      ? [rolesClaim]
      : preset.roles.flatMap((path) =>
          typeof path !== 'string' && path.includes(EACH_AUDIENCE)
            ? accepted.map((audience) => path.map((key) => (key === EACH_AUDIENCE ? audience : key)))
            : [path],
        );
  return { ...resolved, claimSources: { scopes: preset.scopes, roles } };
}

function isPreset(value: unknown): value is ProviderPreset {
  const preset = value as ProviderPreset | null;
  return (
    typeof preset === 'object' &&
    preset !== null &&
    typeof preset.name === 'string' &&
    Array.isArray(preset.scopes) &&
    Array.isArray(preset.roles)
  );
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' ? 'an object' : String(value);
}
