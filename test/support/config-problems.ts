import { ResourceServerConfigError } from 'nest-resource-server';

/**
 * The lines a sample's config reader throws as a `ResourceServerConfigError`, or `'none'` when
 * it returns a config; any other error is rethrown.
 */
export function configProblems(read: () => unknown): readonly string[] | 'none' {
  try {
    read();
    return 'none';
  } catch (error) {
    if (error instanceof ResourceServerConfigError) return error.problems;
    throw error;
  }
}
