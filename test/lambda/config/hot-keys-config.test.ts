import {
  InvalidConfigError,
  parseRuntimeConfig,
  type RuntimeConfigInput,
} from '../../../lambda/config/runtime-config';

const documentWith = (hotKeys?: unknown): RuntimeConfigInput =>
  ({
    sources: [{ id: 'web', writeKeys: ['wk_browser_probe'], destinations: ['main'] }],
    destinations: [
      {
        id: 'main',
        streamName: 'events',
        region: 'eu-west-1',
        ...(hotKeys === undefined ? {} : { hotKeys }),
      },
    ],
  }) as RuntimeConfigInput;

describe('a destination’s hotKeys settings', () => {
  it('turns hot-key relief on at 500 records per second when the document says nothing', () => {
    const config = parseRuntimeConfig(documentWith());

    expect(config.destinations[0]?.hotKeys).toEqual({ enabled: true, recordsPerSecond: 500 });
  });

  it('keeps the threshold that is set and lets a destination turn relief off', () => {
    const config = parseRuntimeConfig(documentWith({ enabled: false, recordsPerSecond: 800 }));

    expect(config.destinations[0]?.hotKeys).toEqual({ enabled: false, recordsPerSecond: 800 });
  });

  it('refuses a threshold under 10 records per second and names its path', () => {
    expect(() => parseRuntimeConfig(documentWith({ recordsPerSecond: 0 }))).toThrow(InvalidConfigError);
    expect(() => parseRuntimeConfig(documentWith({ recordsPerSecond: 0 }))).toThrow(
      /destinations\.0\.hotKeys\.recordsPerSecond/,
    );
  });
});
