import { HttpError, MalformedRequestError, PayloadTooLargeError } from '../../../lambda/http/http-error';
import { outcomeResponse, UndeliveredError } from '../../../lambda/http/outcome-response';
import type { IngestOutcome, Rejection } from '../../../lambda/ingest/ingest';

const rejected: Rejection[] = [
  { index: 1, messageId: 'ajs-next-1795302924990-048d8f1d', reason: 'track requires a non-empty event' },
];

/** The HttpError `respond` throws (the error handler turns it into the response). */
function thrownBy(respond: () => unknown): HttpError {
  try {
    respond();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected an error response');
}

describe('outcomeResponse', () => {
  it('answers 200 with the accepted count and the rejected events when every valid event is written', () => {
    // Prepare
    const outcome: IngestOutcome = { kind: 'delivered', accepted: 2, rejected };

    // Act
    const response = outcomeResponse(outcome, 2);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(response.body as string)).toEqual({ accepted: 2, rejected });
  });

  it('answers 200 with an empty rejected list when everything was accepted', () => {
    // Act
    const response = outcomeResponse({ kind: 'delivered', accepted: 500, rejected: [] }, 2);

    // Assess
    expect(JSON.parse(response.body as string)).toEqual({ accepted: 500, rejected: [] });
  });

  it('answers 400 listing the reasons when no event is valid', () => {
    // Prepare
    const outcome: IngestOutcome = { kind: 'nothing-valid', rejected, allTooLarge: false };

    // Act
    const error = thrownBy(() => outcomeResponse(outcome, 2));

    // Assess
    expect(error).toBeInstanceOf(MalformedRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.details).toEqual({ accepted: 0, rejected });
  });

  it('answers 413 when no event is valid because every one is too large', () => {
    // Prepare
    const tooLarge: Rejection[] = [
      { index: 0, messageId: null, reason: 'event is 40000 bytes; the limit is 32768' },
    ];
    const outcome: IngestOutcome = { kind: 'nothing-valid', rejected: tooLarge, allTooLarge: true };

    // Act
    const error = thrownBy(() => outcomeResponse(outcome, 2));

    // Assess
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error.statusCode).toBe(413);
    expect(error.details).toEqual({ accepted: 0, rejected: tooLarge });
  });

  it('answers 429 with Retry-After when every write failure was throttling', () => {
    // Prepare
    const outcome: IngestOutcome = {
      kind: 'undelivered',
      accepted: 10,
      rejected,
      throttled: true,
      undelivered: [
        { destinationId: 'main', count: 4, errorCodes: ['ProvisionedThroughputExceededException'] },
      ],
    };

    // Act
    const error = thrownBy(() => outcomeResponse(outcome, 5));

    // Assess
    expect(error).toBeInstanceOf(UndeliveredError);
    expect(error.statusCode).toBe(429);
    expect(error.headers).toEqual({ 'Retry-After': '5' });
    expect(error.message).toBe(
      '4 of 10 valid events were not written (destination "main": its stream is throttling writes (ProvisionedThroughputExceededException)); send the request again',
    );
    expect(error.details).toEqual({ accepted: 0, rejected });
    expect(error.expose).toBe(true);
  });

  it('answers 503 with Retry-After when some write failure was not throttling', () => {
    // Prepare
    const outcome: IngestOutcome = {
      kind: 'undelivered',
      accepted: 10,
      rejected: [],
      throttled: false,
      undelivered: [
        { destinationId: 'main', count: 2, errorCodes: ['ProvisionedThroughputExceededException'] },
        { destinationId: 'archive', count: 7, errorCodes: ['InternalFailure'] },
      ],
    };

    // Act
    const error = thrownBy(() => outcomeResponse(outcome, 2));

    // Assess
    expect(error.statusCode).toBe(503);
    expect(error.headers).toEqual({ 'Retry-After': '2' });
    expect(error.message).toBe(
      '7 of 10 valid events were not written (destination "main": its stream is throttling writes (ProvisionedThroughputExceededException); destination "archive": its stream could not take them (InternalFailure)); send the request again',
    );
  });

  it('names the writer role, not the stream, when STS refused, and the spill store when it failed too', () => {
    // Prepare
    const outcome: IngestOutcome = {
      kind: 'undelivered',
      accepted: 3,
      rejected: [],
      throttled: false,
      undelivered: [
        { destinationId: 'partner', count: 3, errorCodes: ['AccessDenied'], spillFailed: true },
        { destinationId: 'main', count: 1, errorCodes: ['ECONNRESET'] },
      ],
    };

    // Act
    const error = thrownBy(() => outcomeResponse(outcome, 2));

    // Assess
    expect(error.statusCode).toBe(503);
    expect(error.message).toBe(
      '3 of 3 valid events were not written (destination "partner": its writer role could not be assumed (STS: AccessDenied), and the spill store could not keep them either; destination "main": its stream could not take them (ECONNRESET: connection reset)); send the request again',
    );
    expect(error.message).not.toContain('stream could not take them (AccessDenied');
  });

  it('says a connection was refused in words, and not where: endpoint addresses stay in the log', () => {
    // Prepare
    const outcome: IngestOutcome = {
      kind: 'undelivered',
      accepted: 1,
      rejected: [],
      throttled: false,
      undelivered: [{ destinationId: 'local-kinesis', count: 1, errorCodes: ['ECONNREFUSED'] }],
    };

    // Act
    const error = thrownBy(() => outcomeResponse(outcome, 2));

    // Assess
    expect(error.statusCode).toBe(503);
    expect(error.message).toBe(
      '1 of 1 valid events were not written (destination "local-kinesis": its stream could not take them (ECONNREFUSED: connection refused)); send the request again',
    );
  });
});
