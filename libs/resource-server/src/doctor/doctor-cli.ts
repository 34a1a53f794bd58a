import { optionsFromEnv } from '../config/options-from-env.js';
import { ResourceServerConfigError } from '../config/resource-server-config.error.js';
import type { ResourceServerOptions } from '../config/resource-server-options.js';
import { checkLine, exitStatusOf, verdictLine, type DoctorCheck } from './diagnosis.js';
import { diagnoseToken, type DoctorRoute } from './token-doctor.js';

/** Flags that stand for a contract variable; a flag wins over the variable. */
const FLAG_VARIABLES: Readonly<Record<string, string>> = {
  '--issuer': 'OAUTH_ISSUER',
  '--audience': 'OAUTH_AUDIENCE',
  '--jwks-uri': 'OAUTH_JWKS_URI',
  '--strategy': 'OAUTH_STRATEGY',
  '--algorithms': 'OAUTH_ALGORITHMS',
  '--clock-tolerance': 'OAUTH_CLOCK_TOLERANCE',
  '--introspection-endpoint': 'OAUTH_INTROSPECTION_ENDPOINT',
  '--client-id': 'OAUTH_CLIENT_ID',
  '--roles-claim': 'OAUTH_ROLES_CLAIM',
  '--provider': 'OAUTH_PROVIDER',
  '--timeout-ms': 'OAUTH_HTTP_TIMEOUT_MS',
};

const USAGE = `usage: nest-resource-server doctor [options] <token | ->
  Explains whether an API configured by the OAUTH_* variables would accept the token, one
  check per line; the last line is "accepted" or "refused: <reason>". Exit status 0 accepted,
  1 refused, 2 cannot tell (authorization server unreachable, bad configuration).
  "-" or no token: read it from standard input (keeps it out of the shell history).
options (each overrides its variable; secrets come from the environment only):
  --issuer URL  --audience A,B  --jwks-uri URL  --strategy jwt|introspection|auto
  --algorithms RS256,...  --clock-tolerance SECONDS  --introspection-endpoint URL
  --client-id ID  --roles-claim CLAIM  --provider generic|fusionauth|keycloak|auth0|entra|cognito
  --timeout-ms MS
  --scope S (repeatable: all needed)  --role R (repeatable: any one is enough)`;

/** Where the CLI writes: lines for standard output and for standard error. */
export interface DoctorOutput {
  out(line: string): void;
  err(line: string): void;
  /** Standard input, read when the token is `-` or missing. */
  readStdin?(): Promise<string>;
}

/**
 * `nest-resource-server doctor`: parses the arguments, reads the options as the APIs do
 * (`optionsFromEnv`), prints each check and the verdict, and answers the exit status.
 * Nothing it prints holds the token or a secret: lines are scrubbed of both all the same.
 */
export async function runDoctor(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: DoctorOutput,
  defaults: Partial<ResourceServerOptions> = {},
): Promise<0 | 1 | 2> {
  const parsed = parseArguments(argv);
  if ('problem' in parsed) {
    io.err(`doctor: ${parsed.problem}`);
    io.err(USAGE);
    return 2;
  }
  if (parsed.help) {
    io.out(USAGE);
    return 0;
  }
  const token = (parsed.token === undefined || parsed.token === '-' ? await io.readStdin?.() : parsed.token)?.trim();
  if (!token) {
    io.err('doctor: no token given');
    io.err(USAGE);
    return 2;
  }
  const variables = { ...env, ...parsed.variables };
  const secrets = [token, ...token.split('.').filter((part) => part.length >= 8)];
  for (const name of ['OAUTH_CLIENT_SECRET', 'OAUTH_HMAC_SECRET', 'REDIS_URL']) {
    const value = variables[name]?.trim();
    if (value) secrets.push(value);
  }
  const print = (line: string) => io.out(scrub(line, secrets));

  let options: ResourceServerOptions;
  try {
    options = optionsFromEnv(variables, defaults);
  } catch (error) {
    if (!(error instanceof ResourceServerConfigError)) throw error;
    for (const problem of error.problems)
      print(checkLine({ check: 'configuration', outcome: 'fail', detail: problem }));
    print(verdictLine({ kind: 'unknown', why: 'bad configuration' }));
    return 2;
  }
  const diagnosis = await diagnoseToken(token, options, parsed.route);
  diagnosis.checks.forEach((check: DoctorCheck) => print(checkLine(check)));
  print(verdictLine(diagnosis.verdict));
  return exitStatusOf(diagnosis.verdict);
}

interface Parsed {
  readonly help: boolean;
  readonly token?: string;
  readonly variables: Record<string, string>;
  readonly route: DoctorRoute;
}

function parseArguments(argv: readonly string[]): Parsed | { problem: string } {
  const args = argv[0] === 'doctor' ? argv.slice(1) : [...argv];
  const variables: Record<string, string> = {};
  const scopes: string[] = [];
  const roles: string[] = [];
  let token: string | undefined;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg.startsWith('--')) {
      const [flag, inline] = arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
      const value = inline ?? args[++i];
      // values are not echoed: a mistyped command line may hold the token
      if (value === undefined) return { problem: `${flag} needs a value` };
      if (flag === '--scope') scopes.push(...value.split(' ').filter(Boolean));
      else if (flag === '--role') roles.push(...value.split(',').filter(Boolean));
      else if (FLAG_VARIABLES[flag]) variables[FLAG_VARIABLES[flag]] = value;
      else return { problem: `unknown option ${flag.slice(0, 40)}` };
      continue;
    }
    if (token !== undefined) return { problem: 'expected one token' };
    token = arg;
  }
  return { help, token, variables, route: { scopes, roles } };
}

/** Replaces every occurrence of a secret (the token, its segments, configured secrets). */
function scrub(line: string, secrets: readonly string[]): string {
  let scrubbed = line;
  for (const secret of secrets)
    if (secret && scrubbed.includes(secret)) scrubbed = scrubbed.split(secret).join('[redacted]');
  return scrubbed;
}
