import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** A transparent 1x1 GIF (42 bytes), base64. */
const TRANSPARENT_GIF = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

/** Never cached, so each open of an email or page reaches the collector again. */
export const PIXEL_CACHE_CONTROL = 'no-cache, no-store, must-revalidate';

/**
 * The answer to every pixel request, whatever became of its event (as Segment's Pixel API does):
 * 200 with a transparent 1x1 GIF, so a mail client or page never shows a broken image.
 */
export function pixelResponse(): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'image/gif', 'Cache-Control': PIXEL_CACHE_CONTROL },
    body: TRANSPARENT_GIF,
    isBase64Encoded: true,
  };
}
