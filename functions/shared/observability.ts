import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger as LoggerPort } from '#domain/ports';

/** Namespace of the pipeline's own CloudWatch metrics (embedded metric format). */
export const METRIC_NAMESPACE = 'StoreFloorImpact';

/**
 * Powertools for AWS Lambda: structured JSON logs (level from `POWERTOOLS_LOG_LEVEL` or
 * `LOG_LEVEL`, Lambda context and request ids added by its middleware) and metrics in the
 * embedded metric format. Callers log identifiers and reasons, never event payloads.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

export function createMetrics(serviceName: string): Metrics {
  return new Metrics({ namespace: METRIC_NAMESPACE, serviceName });
}

/** The domain's logging port over a Powertools logger. */
export function loggerPort(logger: Logger): LoggerPort {
  const attrs = (fields?: Record<string, unknown>) => (fields ?? {}) as LogAttributes;
  return {
    info: (message, fields) => logger.info(message, attrs(fields)),
    warn: (message, fields) => logger.warn(message, attrs(fields)),
    error: (message, fields) => logger.error(message, attrs(fields)),
  };
}
