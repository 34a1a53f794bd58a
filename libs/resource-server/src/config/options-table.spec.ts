import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { ENV_VARIABLES } from './options-from-env.js';
import { resolveOptions } from './resolve-options.js';

const README = new URL('../../README.md', import.meta.url);
const OPTIONS_SOURCE = new URL('./resource-server-options.ts', import.meta.url);
const EXTRAS_SOURCE = new URL('../module/resource-server.module-definition.ts', import.meta.url);

// the DPoP options resolve into `ResolvedOptions.dpop`
const DPOP_RESOLVED: Record<string, string> = {
  dpop: 'mode',
  dpopAlgorithms: 'algorithms',
  dpopMaxAgeSeconds: 'maxAgeSeconds',
  dpopNonce: 'nonce',
  publicUrl: 'publicUrl',
  dpopRedisUrl: 'redisUrl',
  dpopRedisKeyPrefix: 'redisKeyPrefix',
};

interface Row {
  readonly option: string;
  readonly variable: string;
  readonly default: string;
}

/** The rows of the README's options table. */
function readmeRows(): Row[] {
  const section = readFileSync(README, 'utf8').split('## Options')[1]!.split('\n## ')[0]!;
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [option = '', variable = '', fallback = ''] = line
        .split('|')
        .slice(1)
        .map((cell) => cell.trim());
      return {
        option: option.replace(/`/g, '').replace(/ \(.*\)$/, ''),
        variable: variable.replace(/`/g, ''),
        default: fallback,
      };
    });
}

/** Property names of an interface in resource-server-options.ts, read with the TypeScript parser. */
function interfaceProperties(name: string, file: URL = OPTIONS_SOURCE): string[] {
  const source = ts.createSourceFile('options.ts', readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const declaration = source.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === name,
  );
  if (!declaration) throw new Error(`no interface ${name}`);
  return declaration.members.map((member) => (member.name as ts.Identifier).text);
}

describe('the README options table', () => {
  const rows = readmeRows();
  const documented = rows.map((row) => row.option);

  it('lists every option of ResourceServerOptions, IntrospectionOptions and the module extras, and no other', () => {
    const options = [
      ...interfaceProperties('ResourceServerOptions').filter((name) => name !== 'introspection'),
      ...interfaceProperties('IntrospectionOptions').map((name) => `introspection.${name}`),
      ...interfaceProperties('ResourceServerModuleExtras', EXTRAS_SOURCE),
    ];
    expect([...documented].sort()).toEqual([...options].sort());
  });

  it('names the environment variable optionsFromEnv reads for each option', () => {
    for (const row of rows) {
      const variable = (ENV_VARIABLES as Record<string, string>)[row.option];
      expect([row.option, row.variable]).toEqual([row.option, variable ?? '—']);
    }
  });

  it('gives the defaults resolveOptions applies', () => {
    const resolved = resolveOptions({
      issuer: 'https://as.example.com',
      audience: 'api',
      introspection: { clientId: 'c', clientSecret: 's' },
    }) as unknown as Record<string, unknown>;
    const actual = (option: string): unknown =>
      option.startsWith('introspection.')
        ? (resolved.introspection as Record<string, unknown>)[option.slice('introspection.'.length)]
        : option in DPOP_RESOLVED
          ? (resolved.dpop as Record<string, unknown>)[DPOP_RESOLVED[option]!]
          : resolved[option];
    const checked = rows.filter((row) => /^`[^`]+`/.test(row.default));
    expect(checked.length).toBeGreaterThan(8);
    for (const row of checked) {
      const documentedDefault = /^`([^`]+)`/.exec(row.default)![1]!;
      const value = actual(row.option === 'algorithms' ? 'algorithms' : row.option);
      const shown = Array.isArray(value) ? value.join(',') : String(value);
      if (row.option === 'clock') continue; // a function
      if (row.option === 'global') continue; // a module extra, checked in the e2e specs
      expect([row.option, shown]).toEqual([row.option, documentedDefault]);
    }
  });
});
