/**
 * The api-keys module's face: what other modules may use.
 */
export type { ApiKeyRecord } from './api-keys.model';
export { type ApiKeyDto, findLiveApiKey, getApiKey, recordApiKeyUse } from './api-keys.service';
