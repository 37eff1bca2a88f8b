import { readsTimestampOnClient } from '../../tools/tail/tail-client';

describe('readsTimestampOnClient: where tail, live and replay-failed read --since', () => {
  it('reads on the client for a plain-http endpoint (an emulator, which never answers AT_TIMESTAMP on a shard with nothing newer)', () => {
    expect(readsTimestampOnClient({ endpoint: 'http://127.0.0.1:4567' })).toBe(true);
  });

  it('asks Kinesis itself for an https endpoint and for the region’s own endpoint', () => {
    expect(readsTimestampOnClient({ endpoint: 'https://kinesis.eu-west-1.amazonaws.com' })).toBe(false);
    expect(readsTimestampOnClient({})).toBe(false);
  });
});
