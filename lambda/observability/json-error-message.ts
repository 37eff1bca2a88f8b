/**
 * What `JSON.parse` said about a text, without any piece of the text. V8 quotes the input in some of
 * its messages (`Unexpected token 's', "{"writeKeys": [sk_live_..." is not valid JSON`), and these
 * messages end up in logs and error answers, while the texts parsed are request bodies (payloads)
 * and configuration documents (write keys). Messages that quote nothing (`Expected ',' or '}' after
 * property value in JSON at position 26`) are kept as they are.
 */
export function jsonErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.includes('"') && !/^Unexpected token/.test(message)) return message;
  const position = /\bposition (\d+)/.exec(message)?.[1];
  return position === undefined ? 'unexpected token' : `unexpected token at position ${position}`;
}

/**
 * A stand-in for a `JSON.parse` error to keep as an error's `cause`: same name and class, the
 * message of {@link jsonErrorMessage}, no stack pointing into the text. Loggers print causes.
 */
export function sanitisedJsonError(error: unknown): SyntaxError {
  const safe = new SyntaxError(jsonErrorMessage(error));
  safe.stack = `SyntaxError: ${safe.message}`;
  return safe;
}
