/**
 * The CDK context of an archived stream stack (`-c archive=true`, the stream stack alone, alarms to
 * a topic): the tests that read its template share it, so the synth cache synthesizes it once a run.
 */
export const ARCHIVED_STREAM_CONTEXT = {
  collectorAccountId: '111111111111',
  externalIds: 'archive-check-id',
  archive: 'true',
  alarmEmail: 'ops@example.com',
} as const;
