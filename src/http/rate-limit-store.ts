import { createRequire } from 'node:module';
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from '@fastify/rate-limit';

type Counter = { current: number; ttl: number };
type Callback = (error: Error | null, result?: Counter) => void;
type Store = { incr(key: string, cb: Callback, timeWindow: number, max: number): void; read(key: string, cb: Callback, timeWindow: number, max?: number): void };
type StoreOptions = { continueExceeding?: boolean; exponentialBackoff?: boolean; cache?: number };

const LocalStore = createRequire(import.meta.url)('@fastify/rate-limit/store/LocalStore.js') as new (continueExceeding?: boolean, exponentialBackoff?: boolean, cache?: number) => Store;

/**
 * The plugin's in-memory store, answering each request with its own count. The stock store hands every
 * caller the same counter object and the plugin reads it after an await, so in a burst of concurrent
 * requests each one saw the count of the whole burst: with a limit of 10, 40 requests at once were all
 * refused instead of 10 let through. A copy taken at the moment of counting keeps each answer exact.
 */
export class ExactMemoryStore implements FastifyRateLimitStore {
  private readonly inner: Store;

  constructor(options: FastifyRateLimitOptions | StoreOptions) {
    const { continueExceeding, exponentialBackoff, cache } = options as StoreOptions;
    this.inner = new LocalStore(continueExceeding, exponentialBackoff, cache);
  }

  incr(key: string, callback: Callback, timeWindow: number, max: number): void {
    this.inner.incr(key, (error, result) => callback(error, result && { current: result.current, ttl: result.ttl }), timeWindow, max);
  }

  read(key: string, callback: Callback, timeWindow: number, max?: number): void {
    this.inner.read(key, callback, timeWindow, max);
  }

  child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
    return new ExactMemoryStore(routeOptions as StoreOptions);
  }
}
