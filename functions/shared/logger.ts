import type { Logger } from '../processor/ports.js';

type Level = 'INFO' | 'WARN' | 'ERROR';

/**
 * Structured JSON logs, one object per line (CloudWatch Logs Insights reads the fields).
 * Callers pass identifiers and reasons; event payloads are never logged.
 */
export function jsonLogger(
  service: string,
  base: Record<string, unknown> = {},
): Logger & {
  child(fields: Record<string, unknown>): ReturnType<typeof jsonLogger>;
} {
  const write = (level: Level, message: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify({
      level,
      timestamp: new Date().toISOString(),
      service,
      message,
      ...base,
      ...fields,
    });
    if (level === 'ERROR') console.error(line);
    else if (
      process.env.LOG_LEVEL !== 'ERROR' &&
      !(level === 'INFO' && process.env.LOG_LEVEL === 'WARN')
    )
      console.log(line);
  };
  return {
    info: (message, fields) => write('INFO', message, fields),
    warn: (message, fields) => write('WARN', message, fields),
    error: (message, fields) => write('ERROR', message, fields),
    child: (fields) => jsonLogger(service, { ...base, ...fields }),
  };
}
