import { jest } from '@jest/globals';

/**
 * The library's log lines (context `ResourceServer`) that Nest's console logger writes to
 * standard output or error while `send` runs; what is written meanwhile is captured, not shown.
 */
export async function resourceServerLogLines(send: () => Promise<unknown>): Promise<string[]> {
  const written: string[] = [];
  const capture = (chunk: unknown) => written.push(String(chunk)) > 0;
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await send();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.includes('ResourceServer'));
}
