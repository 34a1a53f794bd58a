import 'reflect-metadata';
import { runSampleApi } from '../../shared/src/sample-api.js';
import { forwardingFromEnv } from './proxy-config.js';
import { ProxyModule } from './proxy.module.js';

const problems: string[] = [];
const forwarding = forwardingFromEnv(process.env, problems);
// http-proxy-middleware streams Node's request and response, which Express hands out as they are
const platform = process.env.HTTP_PLATFORM?.trim();
if (platform && platform !== 'express') {
  problems.push(`HTTP_PLATFORM: the proxy runs on express only, got ${JSON.stringify(platform)}`);
}
for (const problem of problems) console.error(`proxy: configuration error: ${problem}`);
if (problems.length > 0) process.exit(1);

await runSampleApi('proxy', { port: 3004, audience: 'todo-api' }, (options) =>
  ProxyModule.forRoot(options, forwarding),
);
