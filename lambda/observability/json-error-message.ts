/**
 * What `JSON.parse` said about a text, without any piece of the text. V8 quotes the input in some of
 * its messages (`Unexpected token 's', "{"writeKeys": [sk_live_..." is not valid JSON`), and these
 * messages end up in logs and error answers, while the texts parsed are request bodies (payloads)
 * and configuration documents (write keys). Messages that quote nothing (`Expected ',' or '}' after
 * property value in JSON at position 26`) are kept as they are. Given the `text` that failed, a
 * quoting message still gets its position: `unexpected token at position 0`.
 */
export function jsonErrorMessage(error: unknown, text?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.includes('"') && !/^Unexpected token/.test(message)) return message;
  const position =
    /\bposition (\d+)/.exec(message)?.[1] ??
    (text === undefined ? undefined : unexpectedTokenPosition(message, text));
  return position === undefined ? 'unexpected token' : `unexpected token at position ${position}`;
}

/** V8's `Unexpected token 'x', ..."<context>"... is not valid JSON`, the dots marking a cut. */
const UNEXPECTED_TOKEN = /^Unexpected token '(.+?)', (\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/s;
/** Characters V8 quotes on each side of the token when it cuts the text. */
const CONTEXT_CHARACTERS = 10;
/** Places tried when the quoted context occurs more than once in the text. */
const MAX_CANDIDATES = 4;

/** Whether JSON.parse stops at `index` of `text` on an unexpected token (not on the text's end). */
function failsAt(text: string, index: number, token: string): boolean {
  if (!text.startsWith(token, index)) return false;
  try {
    JSON.parse(text.slice(0, index + token.length));
    return false;
  } catch (error) {
    return /^Unexpected token/.test((error as Error).message);
  }
}

/**
 * Where an `Unexpected token` message (which has no position) points in `text`, from the context it
 * quotes: the text's first characters, its last ones, or ten either side of the token; a short
 * text is quoted whole. Ambiguous places are checked by parsing the text up to each (a few at most).
 */
function unexpectedTokenPosition(message: string, text: string): string | undefined {
  const match = UNEXPECTED_TOKEN.exec(message);
  if (match === null) return undefined;
  const [, token = '', cutBefore, context = '', cutAfter] = match;
  if (cutBefore === undefined && cutAfter !== undefined) return String(context.length - CONTEXT_CHARACTERS);
  if (cutBefore !== undefined && cutAfter === undefined) {
    return String(text.length - context.length + CONTEXT_CHARACTERS);
  }
  const candidates: number[] = [];
  if (cutBefore === undefined) {
    for (let index = text.indexOf(token); index !== -1 && candidates.length < MAX_CANDIDATES; ) {
      candidates.push(index);
      index = text.indexOf(token, index + 1);
    }
  } else {
    for (let index = text.indexOf(context); index !== -1 && candidates.length < MAX_CANDIDATES; ) {
      candidates.push(index + CONTEXT_CHARACTERS);
      index = text.indexOf(context, index + 1);
    }
  }
  const found = candidates.find((index) => failsAt(text, index, token));
  return found === undefined ? undefined : String(found);
}

/**
 * A stand-in for a `JSON.parse` error to keep as an error's `cause`: same name and class, the
 * message of {@link jsonErrorMessage}, no stack pointing into the text. Loggers print causes.
 */
export function sanitisedJsonError(error: unknown, text?: string): SyntaxError {
  const safe = new SyntaxError(jsonErrorMessage(error, text));
  safe.stack = `SyntaxError: ${safe.message}`;
  return safe;
}
