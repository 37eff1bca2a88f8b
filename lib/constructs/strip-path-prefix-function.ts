/**
 * The source of the CloudFront Function (viewer request, runtime `cloudfront-js-2.0`) of the
 * same-origin path: it removes the path prefix, so `/collect/v1/t` reaches API Gateway as `/v1/t`,
 * the route it has. The query string is a separate field of the event and goes through unchanged.
 *
 * The prefix is written into the source as a JSON string: CloudFront Functions take no parameters.
 */
export function stripPathPrefixFunctionCode(pathPrefix: string): string {
  return [
    `var PREFIX = ${JSON.stringify(pathPrefix)};`,
    'function handler(event) {',
    '  var request = event.request;',
    '  var uri = request.uri;',
    "  if (uri === PREFIX || uri.indexOf(PREFIX + '/') === 0) {",
    "    request.uri = uri.slice(PREFIX.length) || '/';",
    '  }',
    '  return request;',
    '}',
    '',
  ].join('\n');
}
