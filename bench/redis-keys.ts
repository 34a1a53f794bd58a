/**
 * Counts the keys under `prefix` in the Redis at `url`, then deletes them: after a window of
 * the DPoP scenario with Redis, one key per proof accepted shows the store was the one used,
 * and the next window starts from none. ioredis loads only here.
 */
export async function countAndClearKeys(url: string, prefix: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    return count;
  } finally {
    redis.disconnect();
  }
}
