import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '#domain/ports';
import { internalError, isHttpProblem } from '#shared/problem';

type Request = middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/**
 * middy middleware: turns any error into an RFC 9457 problem+json response. Expected
 * problems keep their client-safe text; anything else becomes a bare 500 whose only detail is
 * the request id, while the real error goes to the log under the same id. Attach it first.
 */
export function problemResponses(
  logger: Logger,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  const onError = (request: Request) => {
    const requestId = request.event.requestContext?.requestId ?? 'unknown';
    const error = request.error;
    const problem = isHttpProblem(error) ? error : internalError();
    if (!isHttpProblem(error)) {
      logger.error('unhandled error', {
        requestId,
        error:
          error instanceof Error
            ? { name: error.name, message: error.message, stack: error.stack }
            : String(error),
      });
    } else {
      // Refusals are logged too, under the same request id the client got.
      logger.warn('request refused', {
        requestId,
        route: request.event.routeKey,
        status: problem.status,
        problem: problem.slug,
      });
    }
    request.response = {
      statusCode: problem.status,
      headers: { 'content-type': 'application/problem+json', 'x-request-id': requestId },
      body: JSON.stringify(problem.toProblem(request.event.rawPath ?? '', requestId)),
    };
  };
  return { onError };
}
