import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { HttpError, RateLimitedError } from './http-error';
import { jsonResponse } from './json-response';
import { pixelResponse } from './pixel-response';
import { pixelRouteOf } from './routes';

/**
 * The one place that turns errors into HTTP answers (register it last): an exposed `HttpError`
 * becomes `{ error, ...details }` with its status and headers; anything else becomes a generic 500
 * (which every SDK retries) and is logged, so internals never reach the client.
 * A JSON body rather than `@middy/http-error-handler`'s plain message: clients get the rejected
 * events' reasons with a 400, and the same shape for every error.
 */
export function httpErrorResponse(options: {
  readonly logger: Logger;
}): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      if (request.response !== undefined) return;
      const error = request.error;
      // A pixel answers its image whatever went wrong (refused, rate limited, undelivered), as
      // Segment's does: a mail client or page must never show a broken image or an error.
      if (pixelRouteOf(request.event.rawPath ?? '') !== undefined) {
        if (error instanceof HttpError) {
          options.logger.debug(`Pixel answered with the GIF: ${error.message}`, {
            statusCode: error.statusCode,
            errorName: error.name,
          });
        } else {
          options.logger.error('Unhandled error; the pixel is answered with the GIF', error as Error);
        }
        request.response = pixelResponse();
        return;
      }
      if (error instanceof HttpError && error.expose) {
        // A rate-limited source's 503 is its own setting, logged once per spell where it is refused.
        const warn = error.statusCode >= 500 && !(error instanceof RateLimitedError);
        const log = warn ? options.logger.warn : options.logger.debug;
        log.call(options.logger, error.message, { statusCode: error.statusCode, errorName: error.name });
        request.response = jsonResponse(
          error.statusCode,
          { error: error.message, ...error.details },
          error.headers,
        );
        return;
      }
      options.logger.error('Unhandled error', error as Error);
      request.response = jsonResponse(500, { error: 'Internal error; send the request again' });
    },
  };
}
