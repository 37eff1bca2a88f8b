import { REDRIVE_USAGE, runRedrive } from '../../tools/redrive/run-redrive';

describe('runRedrive', () => {
  let errors: string[];

  beforeEach(() => {
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => {
      errors.push(line);
    });
  });

  afterEach(() => jest.restoreAllMocks());

  it('prints the usage and exits 0 for --help', async () => {
    // Act
    const code = await runRedrive(['--help'], {});

    // Assess
    expect(code).toBe(0);
    expect(errors).toEqual([REDRIVE_USAGE]);
  });

  it('exits 2 naming the missing flag when neither a queue nor a spill directory is given', async () => {
    // Act
    const code = await runRedrive(['--stream', 'events'], {});

    // Assess
    expect(code).toBe(2);
    expect(errors[0]).toMatch(/^redrive: give --queue-url or --spill-dir \(one of them\)\nusage: /);
  });

  it('exits 2 when both --stream and --config are given', async () => {
    // Act
    const code = await runRedrive(['--spill-dir', '.spill', '--stream', 'a', '--config', 'b.json'], {});

    // Assess
    expect(code).toBe(2);
    expect(errors[0]).toMatch(/^redrive: give --stream or --config \(one of them\)/);
  });

  it('exits 2 when --endpoint and its older name --kinesis-endpoint name different endpoints', async () => {
    // Act
    const code = await runRedrive(
      [
        ...['--spill-dir', '.spill', '--stream', 'a'],
        ...['--endpoint', 'http://127.0.0.1:4567', '--kinesis-endpoint', 'http://127.0.0.1:4568'],
      ],
      {},
    );

    // Assess
    expect(code).toBe(2);
    expect(errors[0]).toMatch(
      /^redrive: --endpoint and --kinesis-endpoint name the same endpoint: give one of them/,
    );
  });

  it('lists --endpoint in its usage, as tail, live and check-destination do, with --kinesis-endpoint as its older name', () => {
    expect(REDRIVE_USAGE).toMatch(/^ {2}--endpoint URL /m);
    expect(REDRIVE_USAGE).toContain('--kinesis-endpoint URL is the same flag');
  });

  it('exits 2 when the batch size is outside 1 to 500', async () => {
    // Act
    const code = await runRedrive(['--spill-dir', '.spill', '--stream', 'a', '--batch', '501'], {});

    // Assess
    expect(code).toBe(2);
    expect(errors[0]).toMatch(/^redrive: --batch must be 1 to 500/);
  });
});
