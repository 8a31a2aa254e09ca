/**
 * `promise`, or a rejection with `timedOut()` once `ms` have passed first
 * (the timer is cleared either way, so nothing is left pending).
 */
export async function withinMs<T>(promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
