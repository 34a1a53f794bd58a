import { ResourceServerConfigError } from 'nest-resource-server';

/** The environment as Node hands it out: `process.env`, or a plain object in a test. */
export type EnvVars = Readonly<Record<string, string | undefined>>;

/**
 * Reads and checks a sample app's environment variables, one line per problem, each naming its
 * variable (`PORT: expected a port number, got "x"`), so that an operator sees every problem at
 * once. Values are trimmed; an empty variable counts as unset. An invalid value is recorded and
 * its reader returns the fallback instead, so that reading goes on; `assertValid()` then throws
 * before anything uses the config.
 *
 * @example
 * const env = new EnvReader(vars);
 * const port = env.port('PORT', 3000);
 * const issuer = env.url('OAUTH_ISSUER', 'http://localhost:4000');
 * env.assertValid();
 * return { port, issuer };
 */
export class EnvReader {
  private readonly lines: string[] = [];
  private readonly invalid = new Set<string>();

  constructor(readonly vars: EnvVars) {}

  /** Every problem recorded so far, one line each. */
  get problems(): readonly string[] {
    return this.lines;
  }

  /** Records `<name>: <message>`: for the checks only an app knows (between variables, say). */
  problem(name: string, message: string): void {
    this.lines.push(`${name}: ${message}`);
    this.invalid.add(name);
  }

  /** Whether none of `names` had a problem: checks between variables run on valid values only. */
  valid(...names: string[]): boolean {
    return names.every((name) => !this.invalid.has(name));
  }

  /**
   * Runs a reader that throws `ResourceServerConfigError` (the library's `optionsFromEnv()`,
   * another app's config), recording its lines.
   * @returns what it read, or undefined when it threw.
   */
  include<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ResourceServerConfigError)) throw error;
      // each line starts with the variable it names, as this reader's own do
      for (const line of error.problems) {
        this.lines.push(line);
        this.invalid.add(line.split(':')[0]!);
      }
      return undefined;
    }
  }

  /** @throws ResourceServerConfigError listing every problem, when there is one. */
  assertValid(): void {
    if (this.lines.length > 0) throw new ResourceServerConfigError(this.lines);
  }

  /** The value, or `fallback` when unset. */
  optional(name: string): string | undefined;
  optional(name: string, fallback: string): string;
  optional(name: string, fallback?: string): string | undefined {
    const value = this.vars[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  }

  /** A listen port, 0 to 65535 (0: any free port). */
  port(name: string): number | undefined;
  port(name: string, fallback: number): number;
  port(name: string, fallback?: number): number | undefined {
    return this.check(name, fallback, 'a port number', (text) =>
      /^\d+$/.test(text) && Number(text) <= 65535 ? Number(text) : undefined,
    );
  }

  /** A whole number of at least 1; `expected` names it in the problem, such as `milliseconds`. */
  positiveInteger(name: string, fallback: number, expected = 'a positive integer'): number {
    return this.check(name, fallback, expected, (text) =>
      /^\d+$/.test(text) && Number(text) >= 1 ? Number(text) : undefined,
    );
  }

  /** `true` or `false`, in any case. */
  boolean(name: string, fallback: boolean): boolean {
    return this.check(name, fallback, 'true or false', (text) => {
      const lower = text.toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : undefined;
    });
  }

  /** One of `values`, spelled exactly; the first when unset. */
  oneOf<const T extends string>(name: string, values: readonly [T, ...T[]], fallback: T = values[0]): T {
    return this.check(name, fallback, `one of ${values.join(', ')}`, (text) => values.find((value) => value === text));
  }

  /** An http(s) URL, exactly as given (an issuer is compared character for character). */
  url(name: string): string | undefined;
  url(name: string, fallback: string): string;
  url(name: string, fallback?: string): string | undefined {
    return this.check(name, fallback, 'an http(s) URL', (text) => (httpUrl(text) ? text : undefined));
  }

  /** An http(s) URL that paths are appended to (`${url}/todos`): without its trailing slash. */
  baseUrl(name: string): string | undefined;
  baseUrl(name: string, fallback: string): string;
  baseUrl(name: string, fallback?: string): string | undefined {
    const url = fallback === undefined ? this.url(name) : this.url(name, fallback);
    return url?.replace(/\/$/, '');
  }

  /**
   * An http(s) origin as a browser sends it in `Origin` (lowercase, no default port), with or
   * without a trailing slash; returned without it. Anything else is a problem: redirect URIs
   * and the `Origin` checks compare it as a string.
   */
  origin(name: string, fallback: string): string {
    const text = this.optional(name);
    if (text === undefined) return fallback;
    const origin = parseOrigin(text);
    if (typeof origin === 'string') return origin;
    this.problem(name, `${origin.problem}, got ${JSON.stringify(text)}`);
    return fallback;
  }

  /** Comma-separated origins (see {@link origin}); none when unset. An invalid one is left out. */
  origins(name: string): string[] {
    const origins: string[] = [];
    for (const text of (this.optional(name) ?? '').split(',').map((item) => item.trim())) {
      if (text === '') continue;
      const origin = parseOrigin(text);
      if (typeof origin === 'string') origins.push(origin);
      else this.problem(name, `expected origins such as https://app.example.com, got ${JSON.stringify(text)}`);
    }
    return origins;
  }

  /** Parses the variable, or records `expected <expected>, got "<value>"` and returns the fallback. */
  private check<T, F extends T | undefined>(
    name: string,
    fallback: F,
    expected: string,
    parse: (text: string) => T | undefined,
  ): T | F {
    const text = this.optional(name);
    if (text === undefined) return fallback;
    const value = parse(text);
    if (value !== undefined) return value;
    this.problem(name, `expected ${expected}, got ${JSON.stringify(text)}`);
    return fallback;
  }
}

/**
 * What a sample's `main.ts` reads its config with: on `ResourceServerConfigError`, prints
 * `<app>: configuration error: <line>` to stderr for each problem and exits with status 1,
 * before anything starts (no stack trace: each line says what to fix).
 *
 * @example
 * const config = configOrExit('web', () => webConfigFromEnv(process.env));
 */
export function configOrExit<T>(app: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ResourceServerConfigError)) throw error;
    for (const problem of error.problems) console.error(`${app}: configuration error: ${problem}`);
    process.exit(1);
  }
}

/** The origin `text` spells (without a trailing slash), or what it should have been. */
function parseOrigin(text: string): string | { problem: string } {
  const url = httpUrl(text);
  if (!url) return { problem: 'expected an http(s) URL' };
  if (url.href !== `${url.origin}/`) return { problem: 'expected an origin without path' };
  if (text.replace(/\/$/, '') !== url.origin)
    return { problem: `expected the origin as a browser sends it, ${url.origin}` };
  return url.origin;
}

function httpUrl(text: string): URL | undefined {
  const url = URL.canParse(text) ? new URL(text) : undefined;
  return url?.protocol === 'http:' || url?.protocol === 'https:' ? url : undefined;
}
