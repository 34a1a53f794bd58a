import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { ResourceServerConfigError } from 'nest-resource-server';
import { configOrExit, EnvReader } from './env.js';

/** What one reader call returns for `value` of `NAME`, and the problems it recorded. */
function read<T>(value: string | undefined, call: (env: EnvReader) => T): { value: T; problems: readonly string[] } {
  const env = new EnvReader({ NAME: value });
  return { value: call(env), problems: env.problems };
}

describe('EnvReader', () => {
  describe('optional', () => {
    it.each([undefined, '', '   '])('gives the fallback when the variable is %j', (value) => {
      expect(read(value, (env) => env.optional('NAME', 'dflt'))).toEqual({ value: 'dflt', problems: [] });
      expect(read(value, (env) => env.optional('NAME')).value).toBeUndefined();
    });

    it('trims the value', () => {
      expect(read('  x y ', (env) => env.optional('NAME')).value).toBe('x y');
    });
  });

  describe('port', () => {
    it.each([
      ['0', 0],
      ['3000', 3000],
      ['65535', 65535],
    ])('reads %j', (value, port) => {
      expect(read(value, (env) => env.port('NAME', 1))).toEqual({ value: port, problems: [] });
    });

    it.each(['x', '-1', '65536', '80.5', '1e3'])('records %j as a line naming the variable', (value) => {
      expect(read(value, (env) => env.port('NAME', 1))).toEqual({
        value: 1,
        problems: [`NAME: expected a port number, got ${JSON.stringify(value)}`],
      });
    });

    it('gives undefined when unset and without fallback', () => {
      expect(read(undefined, (env) => env.port('NAME'))).toEqual({ value: undefined, problems: [] });
    });
  });

  describe('positiveInteger', () => {
    it.each(['0', '-3', 'five', '2.5'])('records %j in the words given', (value) => {
      expect(read(value, (env) => env.positiveInteger('NAME', 7, 'milliseconds')).problems).toEqual([
        `NAME: expected milliseconds, got ${JSON.stringify(value)}`,
      ]);
    });

    it('reads a whole number of at least 1', () => {
      expect(read('1', (env) => env.positiveInteger('NAME', 7)).value).toBe(1);
    });
  });

  describe('boolean', () => {
    it.each([
      ['true', true],
      ['FALSE', false],
      [undefined, true],
    ])('reads %j as %j', (value, expected) => {
      expect(read(value, (env) => env.boolean('NAME', true))).toEqual({ value: expected, problems: [] });
    });

    it.each(['yes', '1', 'on'])('records %j: only true or false', (value) => {
      expect(read(value, (env) => env.boolean('NAME', false)).problems).toEqual([
        `NAME: expected true or false, got ${JSON.stringify(value)}`,
      ]);
    });
  });

  describe('oneOf', () => {
    it('reads a listed value, spelled exactly, and defaults to the first', () => {
      expect(read('b', (env) => env.oneOf('NAME', ['a', 'b'])).value).toBe('b');
      expect(read(undefined, (env) => env.oneOf('NAME', ['a', 'b'])).value).toBe('a');
      expect(read(' B ', (env) => env.oneOf('NAME', ['a', 'b'])).problems).toEqual([
        'NAME: expected one of a, b, got "B"',
      ]);
    });
  });

  describe('url and baseUrl', () => {
    it('keeps a URL exactly as given, a trailing slash included', () => {
      expect(read('https://tenant.example.com/', (env) => env.url('NAME')).value).toBe('https://tenant.example.com/');
    });

    it('gives a base URL without its trailing slash', () => {
      expect(read('https://api.example.com/v1/', (env) => env.baseUrl('NAME', 'http://x')).value).toBe(
        'https://api.example.com/v1',
      );
    });

    it.each(['nope', 'ftp://x', 'javascript:alert(1)', 'localhost:3000'])('records %j', (value) => {
      expect(read(value, (env) => env.baseUrl('NAME'))).toEqual({
        value: undefined,
        problems: [`NAME: expected an http(s) URL, got ${JSON.stringify(value)}`],
      });
    });
  });

  describe('origin', () => {
    it('reads an origin, dropping a trailing slash', () => {
      expect(read('https://app.example.com/', (env) => env.origin('NAME', 'http://x'))).toEqual({
        value: 'https://app.example.com',
        problems: [],
      });
    });

    it.each([
      ['localhost:3000', 'expected an http(s) URL, got "localhost:3000"'],
      ['http://', 'expected an http(s) URL, got "http://"'],
      ['http://localhost:3000/app', 'expected an origin without path, got "http://localhost:3000/app"'],
      ['http://localhost:3000?x=1', 'expected an origin without path, got "http://localhost:3000?x=1"'],
      [
        'HTTP://Localhost:3000',
        'expected the origin as a browser sends it, http://localhost:3000, got "HTTP://Localhost:3000"',
      ],
      ['https://app.example.com:443', 'expected the origin as a browser sends it, https://app.example.com, got'],
    ])('records %j with the fallback in its place', (value, message) => {
      const { value: origin, problems } = read(value, (env) => env.origin('NAME', 'http://fallback'));
      expect(origin).toBe('http://fallback');
      expect(problems).toEqual([expect.stringContaining(`NAME: ${message}`)]);
    });
  });

  describe('origins', () => {
    it('reads a comma-separated list, skipping empty items', () => {
      expect(read(' https://a.example.com/, ,http://localhost:3000 ', (env) => env.origins('NAME'))).toEqual({
        value: ['https://a.example.com', 'http://localhost:3000'],
        problems: [],
      });
    });

    it('records each invalid one and leaves it out', () => {
      expect(read('https://a.example.com,localhost:3000', (env) => env.origins('NAME'))).toEqual({
        value: ['https://a.example.com'],
        problems: ['NAME: expected origins such as https://app.example.com, got "localhost:3000"'],
      });
    });
  });

  describe('valid, include and assertValid', () => {
    it('knows which variables had a problem, its own or an included reader’s', () => {
      const env = new EnvReader({ A: 'x', B: '1' });
      env.port('A', 1);
      env.port('B', 1);
      env.include(() => {
        throw new ResourceServerConfigError(['C: expected something, got "y"']);
      });
      expect(env.valid('B')).toBe(true);
      expect(env.valid('A')).toBe(false);
      expect(env.valid('B', 'C')).toBe(false);
      expect(env.problems).toEqual(['A: expected a port number, got "x"', 'C: expected something, got "y"']);
    });

    it('returns what an included reader read, and rethrows an error that is not about configuration', () => {
      const env = new EnvReader({});
      expect(env.include(() => 42)).toBe(42);
      expect(() =>
        env.include(() => {
          throw new TypeError('a bug');
        }),
      ).toThrow(TypeError);
    });

    it('throws one ResourceServerConfigError listing every problem, and nothing without one', () => {
      const env = new EnvReader({ HOST: 'h', PORT: 'x', FLAG: 'maybe' });
      env.optional('HOST');
      expect(() => env.assertValid()).not.toThrow();
      env.port('PORT', 1);
      env.boolean('FLAG', false);
      let thrown: unknown;
      try {
        env.assertValid();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ResourceServerConfigError);
      expect((thrown as ResourceServerConfigError).problems).toEqual([
        'PORT: expected a port number, got "x"',
        'FLAG: expected true or false, got "maybe"',
      ]);
    });
  });
});

describe('configOrExit', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('returns the config when it reads', () => {
    expect(configOrExit('app', () => ({ port: 1 }))).toEqual({ port: 1 });
  });

  it('prints "<app>: configuration error: <line>" per problem and exits 1', () => {
    const printed: unknown[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(line));
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exited');
    });
    expect(() =>
      configOrExit('app', () => {
        throw new ResourceServerConfigError(['PORT: expected a port number, got "x"', 'B: bad']);
      }),
    ).toThrow('exited');
    expect(exit).toHaveBeenCalledWith(1);
    expect(printed).toEqual([
      'app: configuration error: PORT: expected a port number, got "x"',
      'app: configuration error: B: bad',
    ]);
  });

  it('lets any other error through, with its stack', () => {
    const exit = jest.spyOn(process, 'exit');
    expect(() =>
      configOrExit('app', () => {
        throw new TypeError('a bug');
      }),
    ).toThrow(TypeError);
    expect(exit).not.toHaveBeenCalled();
  });
});
