import { failedTailCommand, localBanner } from '../../local/banner';
import { NO_FAULTS } from '../../local/fault-proxy';
import {
  DEFAULT_LOCAL_EXTERNAL_ID,
  type LocalMode,
  type LocalModeSettings,
  localModeSettings,
  localRuntimeSetup,
} from '../../local/local-mode';
import { PROJECT_ROOT } from '../lib/support/test-app';

/** The local mode `npm start` would run with these settings, without starting anything. */
function localModeOf(settings: LocalModeSettings, kinesisEndpoint = 'http://127.0.0.1:4567'): LocalMode {
  const setup = localRuntimeSetup(settings);
  return {
    collectorUrl: 'http://127.0.0.1:8080',
    debugUrl: 'http://127.0.0.1:8080/_debug',
    faultsUrl: 'http://127.0.0.1:8080/_local/faults',
    kinesisEndpoint,
    kinesisWriteEndpoint: 'http://127.0.0.1:40000',
    startedEmulator: true,
    config: setup.config,
    streams: [],
    warnings: setup.warnings,
    devWriteKeys: setup.devKeys,
    faults: () => NO_FAULTS,
    streamsReady: Promise.resolve(),
    stop: async () => undefined,
  };
}

const example = (file: string) => localModeSettings({}, ['--config', `${PROJECT_ROOT}/examples/${file}`]);

describe('the banner of npm start', () => {
  it('names the failed-events tail as npm run tail -- --failed only where that alone finds the stream', () => {
    expect(failedTailCommand('http://127.0.0.1:4567', 'events-failed')).toBe('npm run tail -- --failed');
    expect(failedTailCommand('http://127.0.0.1:14567', 'events-failed')).toBe(
      'npm run tail -- --endpoint http://127.0.0.1:14567 --stream events-failed',
    );
    expect(failedTailCommand('http://127.0.0.1:4567', 'clicks-failed')).toBe(
      'npm run tail -- --endpoint http://127.0.0.1:4567 --stream clicks-failed',
    );
  });

  it('shows the real write key of an example document in the curl line, not a placeholder', () => {
    const settings = example('fan-out.json');

    const banner = localBanner(localModeOf(settings), settings);

    expect(banner).toContain('curl -s -u web-write-key: -H');
    expect(banner).not.toContain('<a write key of source');
  });

  it('shows the development key of a key-free document in the curl line', () => {
    const settings = example('deploy.json');

    expect(localBanner(localModeOf(settings), settings)).toContain('curl -s -u dev-web-write-key: -H');
  });

  it('names the tracking plan and the failed-events stream of the tracking-plan example, with the tail line that reads it', () => {
    const settings = example('tracking-plan.json');

    const banner = localBanner(localModeOf(settings), settings);

    expect(banner).toContain('orders -> stream "plan-events", refused events to "plan-events-failed"');
    expect(banner).toContain('tracking plan (1 event; violations block, unplanned allow)');
    expect(banner).toContain(
      'Refused events:   npm run tail -- --endpoint http://127.0.0.1:4567 --stream plan-events-failed',
    );
  });

  it('gives the redrive line the same --endpoint flag as tail', () => {
    const settings = localModeSettings({});

    expect(localBanner(localModeOf(settings), settings, '.spill')).toContain(
      'npm run redrive -- --spill-dir .spill --stream events --endpoint http://127.0.0.1:4567',
    );
  });
});

describe('TRUSTED_EXTERNAL_IDS without EXTERNAL_ID (the documented TRUSTED_EXTERNAL_IDS=other npm start)', () => {
  it('runs the local STS with the collector on a fixed external ID the role does not trust', () => {
    const settings = localModeSettings({ TRUSTED_EXTERNAL_IDS: 'other' });

    expect(settings.externalId).toBe(DEFAULT_LOCAL_EXTERNAL_ID);
    expect(settings.trustedExternalIds).toEqual(['other']);
    expect(localRuntimeSetup(settings).config.destinations[0]).toMatchObject({
      externalId: DEFAULT_LOCAL_EXTERNAL_ID,
    });
  });

  it('keeps EXTERNAL_ID when both are set, and no STS at all when neither is', () => {
    expect(localModeSettings({ EXTERNAL_ID: 'my-ext-id', TRUSTED_EXTERNAL_IDS: 'other' })).toMatchObject({
      externalId: 'my-ext-id',
      trustedExternalIds: ['other'],
    });
    expect(localModeSettings({})).not.toHaveProperty('externalId');
  });
});
