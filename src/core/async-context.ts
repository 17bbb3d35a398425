/**
 * One AsyncLocalStorage for everything that follows a request or a job through its awaits: the request context
 * (request-context.ts), the ambient transaction (db/transaction.ts) and the ownership crossing
 * (modules/access/ownership.ts) are slots of it, each read and set only by its own module.
 *
 * Why one: Node propagates the store of every AsyncLocalStorage in use to every promise created, wherever it is
 * created (a property per storage on each promise, set by a promise hook). Three storages made every awaited call
 * about 0.7 µs and ~50 bytes dearer than one (measured on Node 20: 1.27 against 0.55 µs per awaited async call), and
 * a donation creates hundreds of promises, most of them in the driver. Slots keep the semantics of separate
 * storages: `run` changes one slot for `fn` and what it awaits, and leaves the others as they are.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

type Slots = Readonly<Record<symbol, unknown>>;

const storage = new AsyncLocalStorage<Slots>();

export class ContextSlot<V> {
  private readonly key: symbol;

  constructor(name: string) {
    this.key = Symbol(name);
  }

  /** The slot's value where the caller runs, or undefined. */
  get(): V | undefined {
    return storage.getStore()?.[this.key] as V | undefined;
  }

  /** Runs `fn` with the slot set to `value` (through any number of awaits); the other slots are unchanged. */
  run<T>(value: V, fn: () => T): T {
    return storage.run({ ...storage.getStore(), [this.key]: value }, fn);
  }

  /** Runs `fn` with the slot unset; the other slots are unchanged. */
  exit<T>(fn: () => T): T {
    return storage.run({ ...storage.getStore(), [this.key]: undefined }, fn);
  }
}
