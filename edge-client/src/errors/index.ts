export { CredentialsError } from './credentials-error.js';
export { EdgeClientError, isEdgeClientError } from './edge-client-error.js';
export { InvalidEventError } from './invalid-event-error.js';
export { SpoolFormatError } from './spool-format-error.js';
export { SpoolFullError } from './spool-full-error.js';
export { SpoolStateError } from './spool-state-error.js';
