import 'reflect-metadata';
import { configOrExit } from '../../shared/src/env.js';
import { allInterfaces } from '../../shared/src/http-platform.js';
import { startMetricsEndpoint } from '../../shared/src/metrics-endpoint.js';
import { createSampleApi, issuerNames, serveApiDocs } from '../../shared/src/sample-api.js';
import { proxyConfigFromEnv } from './proxy-config.js';
import { ProxyModule } from './proxy.module.js';

const config = configOrExit('proxy', () => proxyConfigFromEnv(process.env));
const host = config.host ?? (await allInterfaces()); // HOST unset: every interface, on Fastify too
// before the app: the library's instruments are made when its module is
if (config.metricsPort !== undefined) {
  const metrics = await startMetricsEndpoint(config.metricsPort, host);
  console.log(`proxy metrics on ${metrics.url}`);
}
const app = await createSampleApi(ProxyModule.forRoot(config.resourceServer, config.forwarding), config);
await serveApiDocs(app, 'proxy');
await app.listen(config.port, host);
console.log(`proxy listening on ${await app.getUrl()} (issuer ${issuerNames(config.resourceServer).join(', ')})`);
