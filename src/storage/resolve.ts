import { UsageError } from '../errors.js';
import { InMemoryStorage } from './in-memory.js';
import type { Storage } from './storage.js';

/** A Storage object as given, a new in-memory storage for undefined, or one opened from a URL. */
export function resolveStorage(storage?: Storage | string): Storage {
  if (storage === undefined) return new InMemoryStorage();
  if (typeof storage !== 'string') return storage;
  if (storage === 'memory' || storage === ':memory:') return new InMemoryStorage();
  throw new UsageError(`unknown storage '${storage}': give a Storage object, or 'memory'`);
}
