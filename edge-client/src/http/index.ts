export {
  BodyTooLargeError,
  HttpRequestError,
  isHttpRequestError,
  RequestAbortedError,
} from './errors.js';
export {
  createHardenedServer,
  DEFAULT_SERVER_LIMITS,
  type ErrorResponder,
  type HardenedHandler,
  type HardenedServerLimits,
  type HardenedServerOptions,
  problemResponse,
} from './hardened-server.js';
export { type ReadBodyOptions, readBody } from './read-body.js';
export { requestUrl } from './request-url.js';
