import { NestFactory } from '@nestjs/core';
import { resolveOptions } from '../config/resolve-options.js';
import type { ResolvedOptions, ResourceServerOptions } from '../config/resource-server-options.js';
import { ResourceServerConfigError } from '../config/resource-server-config.error.js';
import { ResourceServerModule } from '../module/resource-server.module.js';
import { describeConfiguration } from './describe.js';
import type { Diagnosis, DoctorCheck } from './diagnosis.js';
import { Examination } from './examination.js';

/** A route's rules to check the token against, as `--scope` and `--role` give them. */
export interface DoctorRoute {
  /** Every one is needed (`@RequireScope`). */
  readonly scopes?: readonly string[];
  /** Any one is enough (`@RequireRole`). */
  readonly roles?: readonly string[];
}

/**
 * Explains what an API configured with `options` would do with `token`, one check per line,
 * by running the module's own pipeline: the options are resolved as at start-up, the verifier,
 * key store and introspector are the ones the guard uses (taken from a Nest context of
 * `ResourceServerModule`), and the lines come from the same rule functions, in the order the
 * contract gives (header, key, signature, times, `iss`, `aud`, id-token markers, route).
 * The verdict is the pipeline's; the token is never part of any line.
 */
export async function diagnoseToken(
  token: string,
  options: ResourceServerOptions,
  route: DoctorRoute = {},
): Promise<Diagnosis> {
  const checks: DoctorCheck[] = [];
  let resolved: ResolvedOptions;
  try {
    resolved = resolveOptions(options);
  } catch (error) {
    if (!(error instanceof ResourceServerConfigError)) throw error;
    for (const problem of error.problems) checks.push({ check: 'configuration', outcome: 'fail', detail: problem });
    return { checks, verdict: { kind: 'unknown', why: 'bad configuration' } };
  }
  checks.push({ check: 'configuration', outcome: 'pass', detail: describeConfiguration(resolved) });

  const context = await NestFactory.createApplicationContext(ResourceServerModule.forRoot(options), {
    logger: false,
    abortOnError: false,
  });
  try {
    return await new Examination(context, token, route, checks).run();
  } finally {
    await context.close();
  }
}
