/** A compressed record that inflates past its limit: refused before more is inflated. */
export class InflateLimitError extends Error {
  constructor(readonly limit: number) {
    super(`record inflates past ${limit} bytes`);
    this.name = 'InflateLimitError';
  }
}

/**
 * Runs one of zlib's synchronous inflates with its output capped at `maxBytes`
 * (`maxOutputLength`): an input that would inflate further throws InflateLimitError, having
 * inflated no more than the cap; a corrupt one throws zlib's error.
 */
export function boundedInflate(
  inflate: (maxOutputLength: number) => Buffer,
  maxBytes: number,
): Buffer {
  try {
    return inflate(maxBytes);
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InflateLimitError(maxBytes);
    }
    throw error;
  }
}
