// Every call to a backend over the network is raced against a timer: a hung socket must surface as a typed,
// retryable error, not hang a consumer (the blueprint had no timeouts anywhere, §10.16).
import { asStoreError, StoreError, type StoreBackend } from './errors';

export async function withTimeout<T>(
  work: () => Promise<T>,
  ms: number,
  operation: string,
  backend: StoreBackend,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreError(operation, backend, 'timeout', `no answer within ${ms} ms`)), ms);
  });
  try {
    // race() subscribes to the work promise, so its late rejection after a timeout is not unhandled.
    return await Promise.race([work(), expired]);
  } catch (err) {
    throw asStoreError(err, operation, backend);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs synchronous backend work (better-sqlite3) behind the port's promise API, with typed errors. */
export function runSync<T>(work: () => T, operation: string, backend: StoreBackend): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(asStoreError(err, operation, backend));
  }
}
