import { AuthServerConfigError, authServerConfigFromEnv, type AuthServerConfig } from './auth-server-config.js';

let config: AuthServerConfig;
try {
  config = authServerConfigFromEnv(process.env);
} catch (error) {
  if (!(error instanceof AuthServerConfigError)) throw error;
  for (const problem of error.problems) console.error(`auth-server: configuration error: ${problem}`);
  process.exit(1);
}

// loaded only now: importing oidc-provider prints its own notices, which must not crowd a config error
const { startAuthServer } = await import('./auth-server.js');
const server = await startAuthServer(config);
console.log(
  `auth-server listening on ${config.host ?? '*'}:${server.port} (issuer ${server.url}; DEV ONLY: users, sessions and grants in memory)`,
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void server.close().then(() => process.exit(0)));
}
