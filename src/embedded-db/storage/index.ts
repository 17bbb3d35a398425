/** The storage engine's public face: `openStore` and the contract types. */
export { type OpenStoreOptions, openStore, type StoreExtras } from './store';
export type * from './store-types';
export { writeConflictRetryAfter } from './transaction';
