/**
 * The auth module's face: what other modules may use.
 */
export { type Authenticated, authenticateApiKey, authenticateSessionToken, type Credential } from './auth.service';
export { revokeSessionsOfUsers, rewriteSessionHolders } from './sessions';
export { apiKeyHint, hashApiKey, newApiKey } from './tokens';
