#!/usr/bin/env node
/**
 * `npm run doctor -- <token>`: would the sample APIs accept this token, and if not, why?
 * The library's own command (`nest-resource-server doctor`, from the build), reading the
 * same OAUTH_* variables as the APIs, with the samples' defaults for what is unset: the dev
 * authorization server as the issuer, and the audiences of todo-api and help-api.
 * Run `npm run build` first.
 */
const built = await import('../libs/resource-server/dist/doctor/doctor-cli.js').catch(() => undefined);
if (!built) {
  console.error('doctor: the library is not built: run `npm run build` first');
  process.exit(2);
}
const { runDoctor } = built;

const status = await runDoctor(
  process.argv.slice(2),
  process.env,
  {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    readStdin: async () => {
      const chunks = [];
      for await (const chunk of process.stdin) chunks.push(chunk);
      return Buffer.concat(chunks).toString('utf8');
    },
  },
  { issuer: 'http://localhost:4000', audience: ['todo-api', 'help-api'] },
);
process.exitCode = status;
