/**
 * Invalid options: thrown while the module's options provider is built, so `app.init()`
 * fails and nothing starts half-configured. One line per problem, each naming the option
 * (or the environment variable, when the options came from `optionsFromEnv()`).
 */
export class ResourceServerConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid resource server configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ResourceServerConfigError';
  }
}
