import 'reflect-metadata';
import { configOrExit } from '../../shared/src/env.js';
import { allInterfaces } from '../../shared/src/http-platform.js';
import { startMetricsEndpoint } from '../../shared/src/metrics-endpoint.js';
import { createSampleApi, issuerNames, sampleApiConfigFromEnv, serveApiDocs } from '../../shared/src/sample-api.js';
import { HelpApiModule } from './help-api.module.js';

const config = configOrExit('help-api', () =>
  sampleApiConfigFromEnv(process.env, { port: 3002, audience: 'help-api' }),
);
const host = config.host ?? (await allInterfaces()); // HOST unset: every interface, on Fastify too
// before the app: the library's instruments are made when its module is
if (config.metricsPort !== undefined) {
  const metrics = await startMetricsEndpoint(config.metricsPort, host);
  console.log(`help-api metrics on ${metrics.url}`);
}
const app = await createSampleApi(HelpApiModule.forRoot(config.resourceServer), config);
await serveApiDocs(app, 'help-api');
await app.listen(config.port, host);
console.log(`help-api listening on ${await app.getUrl()} (issuer ${issuerNames(config.resourceServer).join(', ')})`);
