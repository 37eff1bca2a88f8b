import { FORWARDED_HOST_HEADER, PATH_PREFIX_HEADER } from '../../lambda/contract/same-origin';

/**
 * The source of the CloudFront Function (viewer request, runtime `cloudfront-js-2.0`) of the
 * same-origin path: it removes the path prefix, so `/collect/v1/t` reaches API Gateway as `/v1/t`,
 * the route it has, and sets `x-collector-path-prefix` and `x-collector-forwarded-host` (the viewer's
 * `Host`; overwriting a viewer's own), so the settings analytics.js loads through the site name the
 * site. The query string is a separate field of the event and goes through unchanged.
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
    `  request.headers[${JSON.stringify(PATH_PREFIX_HEADER)}] = { value: PREFIX };`,
    '  var host = request.headers.host;',
    `  if (host) request.headers[${JSON.stringify(FORWARDED_HOST_HEADER)}] = { value: host.value };`,
    `  else delete request.headers[${JSON.stringify(FORWARDED_HOST_HEADER)}];`,
    '  return request;',
    '}',
    '',
  ].join('\n');
}
