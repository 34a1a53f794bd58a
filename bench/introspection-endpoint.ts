import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the endpoint knows, passed as JSON in `BENCH_INTROSPECTION`. */
export interface IntrospectionEndpointConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Active tokens and their claims. */
  readonly tokens: Record<string, Record<string, unknown>>;
}

// a minimal RFC 7662 endpoint in a process of its own (on the load core): the authorization
// server of the introspection scenarios, fast enough never to be their bottleneck
const config = JSON.parse(process.env.BENCH_INTROSPECTION ?? '{}') as IntrospectionEndpointConfig;
const expectedAuthorization = `Basic ${Buffer.from(
  `${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`,
).toString('base64')}`;
const answers = new Map(
  Object.entries(config.tokens).map(([token, claims]) => [token, JSON.stringify({ active: true, ...claims })]),
);
const INACTIVE = JSON.stringify({ active: false });
let calls = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/calls') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ calls }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    calls++;
    if (req.method !== 'POST' || req.url !== '/introspect') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== expectedAuthorization) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid_client"}');
      return;
    }
    const token = new URLSearchParams(Buffer.concat(chunks).toString('utf8')).get('token') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(answers.get(token) ?? INACTIVE);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`READY ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
