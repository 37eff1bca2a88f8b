import { alarmDescription, RUNBOOK, RUNBOOK_ANCHORS } from '../../../lib/constructs/alarm-runbook';

describe('alarmDescription', () => {
  it('says what the alarm means, then links its section of the operations runbook', () => {
    expect(alarmDescription('The stream is throttled.', RUNBOOK_ANCHORS.streamWriteThrottles)).toBe(
      `The stream is throttled. Runbook: ${RUNBOOK}#alarm-stream-write-throttles`,
    );
  });

  it('gives every alarm its own runbook section', () => {
    const anchors = Object.values(RUNBOOK_ANCHORS);

    expect(new Set(anchors).size).toBe(anchors.length);
  });
});
