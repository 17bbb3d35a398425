/** The embedded MongoDB-compatible database: start it with startEmbeddedServer and connect with its `uri`. */
export { type EmbeddedServer, type EmbeddedServerOptions, startEmbeddedServer } from './server';
