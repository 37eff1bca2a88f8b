import { Metrics } from '@aws-lambda-powertools/metrics';
import type { RuntimeDestination } from '../../../lambda/config/runtime-config';
import {
  DeliveryDiagnostics,
  explainDeliveryError,
  maskExternalId,
} from '../../../lambda/delivery/delivery-diagnostics';
import type { WriteReport } from '../../../lambda/delivery/record-writer';
import { captureOutput } from '../../support/assume-role-collector';

const DESTINATION: RuntimeDestination = {
  id: 'warehouse',
  streamName: 'events',
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::222222222222:role/event-writer',
  externalId: 'customer-secret-external-id-7f3a',
  aggregate: false,
  hotKeys: { enabled: true, recordsPerSecond: 500 },
};

const failed = (errorCode: string, count = 2): WriteReport => ({
  calls: 1,
  failed: Array.from({ length: count }, (_, index) => ({
    index,
    errorCode,
    errorMessage: `${errorCode} from AWS`,
  })),
});
const delivered: WriteReport = { calls: 1, failed: [] };

function diagnosticsWithSpies() {
  const logger = { error: jest.fn(), info: jest.fn() };
  const diagnostics = new DeliveryDiagnostics({ logger });
  return { logger, observer: diagnostics.observer(DESTINATION), diagnostics };
}

describe('DeliveryDiagnostics', () => {
  it('logs a configuration error once per destination and error code, however often it happens', () => {
    const { logger, observer } = diagnosticsWithSpies();

    for (let i = 0; i < 5; i++) observer.written(failed('AccessDenied'));
    observer.written(failed('ResourceNotFoundException'));

    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error.mock.calls.map(([, extra]) => extra.errorCode)).toEqual([
      'AccessDenied',
      'ResourceNotFoundException',
    ]);
  });

  it('logs the error again after the destination delivered or its configuration changed', () => {
    const { logger, observer, diagnostics } = diagnosticsWithSpies();

    observer.written(failed('AccessDeniedException'));
    observer.written(delivered);
    observer.written(failed('AccessDeniedException'));
    diagnostics.forget(DESTINATION.id);
    observer.written(failed('AccessDeniedException'));

    expect(logger.error).toHaveBeenCalledTimes(3);
    expect(logger.info).toHaveBeenCalledWith('Delivery to destination "warehouse" works again', {
      destinationId: 'warehouse',
    });
  });

  it('names the destination and the fix and shows only the last four characters of the external ID', () => {
    const { logger, observer } = diagnosticsWithSpies();

    observer.written(failed('AccessDenied', 3));

    const [message, extra] = logger.error.mock.calls[0] ?? [];
    expect(message).toMatch(
      /^Delivery to destination "warehouse" fails with AccessDenied: STS refused .* To fix: /,
    );
    expect(extra).toMatchObject({
      destinationId: 'warehouse',
      externalId: '****7f3a',
      roleArn: DESTINATION.roleArn,
      records: 3,
      awsMessage: 'AccessDenied from AWS',
    });
    expect(JSON.stringify(logger.error.mock.calls)).not.toContain('customer-secret-external-id');
  });

  it('logs a refused connection once, naming where, until the destination delivers again', () => {
    const { logger, observer } = diagnosticsWithSpies();
    const refused: WriteReport = {
      calls: 1,
      failed: [{ index: 0, errorCode: 'ECONNREFUSED', errorMessage: 'connect ECONNREFUSED 10.0.0.7:443' }],
    };

    observer.written(refused);
    observer.written(refused);

    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0]?.[0]).toMatch(
      /^Delivery to destination "warehouse" fails with ECONNREFUSED: connection refused at 10\.0\.0\.7:443 /,
    );
  });

  it('does not log errors a retry can fix', () => {
    const { logger, observer } = diagnosticsWithSpies();

    observer.written(failed('ProvisionedThroughputExceededException'));

    expect(logger.error).not.toHaveBeenCalled();
  });

  it('counts every record not written in the DeliveryErrors metric by error code, flushed as EMF', () => {
    // Prepare
    const metrics = new Metrics({ namespace: 'KinesisEventForwarder', serviceName: 'test' });
    const diagnostics = new DeliveryDiagnostics({ logger: { error: jest.fn(), info: jest.fn() }, metrics });
    const output = captureOutput();

    // Act
    try {
      diagnostics.observer(DESTINATION).written({
        calls: 2,
        failed: [
          ...failed('AccessDeniedException', 3).failed,
          ...failed('ProvisionedThroughputExceededException', 1).failed,
        ],
      });
    } finally {
      output.restore();
    }

    // Assess
    const emf = output.lines().filter((line) => line._aws !== undefined);
    expect(emf.map((line) => [line.errorCode, line.DeliveryErrors])).toEqual([
      ['AccessDeniedException', 3],
      ['ProvisionedThroughputExceededException', 1],
    ]);
    expect(emf[0]?._aws).toMatchObject({
      CloudWatchMetrics: [
        { Namespace: 'KinesisEventForwarder', Metrics: [{ Name: 'DeliveryErrors', Unit: 'Count' }] },
      ],
    });
  });
});

describe('explainDeliveryError', () => {
  it.each([
    ['AccessDenied', /external ID/],
    ['AccessDeniedException', /kinesis:PutRecords/],
    ['ResourceNotFoundException', /StreamName output/],
    ['KMSAccessDeniedException', /kms:GenerateDataKey/],
    ['KMSDisabledException', /enable the key/],
    ['KMSNotFoundException', /existing key/],
  ])('says how to fix %s', (errorCode, fix) => {
    expect(explainDeliveryError(errorCode, DESTINATION)?.fix).toMatch(fix);
  });

  it('says where a connection was refused: the address Node names, else the endpoint, else the regional one', () => {
    const local = { ...DESTINATION, endpoint: 'http://127.0.0.1:41585' };

    expect(explainDeliveryError('ECONNREFUSED', local, 'connect ECONNREFUSED 127.0.0.1:4567')).toEqual({
      meaning:
        'connection refused at 127.0.0.1:4567 (stream "events"); records are retried until the request\'s deadline, then answered 503 or spilled',
      fix: 'check that a Kinesis-compatible service answers at 127.0.0.1:4567 (local mode: the emulator at KINESIS_ENDPOINT, or unset KINESIS_ENDPOINT and npm start runs one)',
    });
    expect(explainDeliveryError('ECONNRESET', local, 'socket hang up')?.meaning).toMatch(
      /^connection reset at http:\/\/127\.0\.0\.1:41585 /,
    );
    expect(explainDeliveryError('ENOTFOUND', DESTINATION)?.meaning).toMatch(
      /^host name not found at kinesis\.eu-west-1\.amazonaws\.com /,
    );
  });

  it('masks short external IDs entirely', () => {
    expect(maskExternalId('abcd')).toBe('****');
    expect(maskExternalId('abcdef')).toBe('****cdef');
  });
});
