#!/usr/bin/env node
import { runDoctor } from './doctor-cli.js';

/**
 * The package's command: `npx nest-resource-server doctor <token>`.
 * @internal
 */
async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] !== 'doctor') {
    console.error('usage: nest-resource-server doctor [options] <token | ->  (--help for the options)');
    return 2;
  }
  return runDoctor(argv, process.env, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
  });
}

main(process.argv.slice(2)).then(
  (status) => (process.exitCode = status),
  (error: unknown) => {
    // never a stack trace: it could hold values from the command line
    console.error(`doctor: failed: ${(error as Error)?.name ?? 'error'}`);
    process.exitCode = 2;
  },
);
