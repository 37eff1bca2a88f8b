import {
  type ArchivedStream,
  type StreamArchiver,
  startStreamArchiver,
} from '../tools/archive/stream-archiver';
import { isEmulated } from './local-config';
import { emulatorClient, type LocalMode } from './local-mode';

/**
 * The streams `ARCHIVE_DIR` archives: those of the first destination local mode emulates (source
 * `dev`'s without a document), its events under `events/`, its failed-events stream under `failed/`.
 */
export function archivedStreams(local: Pick<LocalMode, 'config'>): ArchivedStream[] {
  const destination = local.config.destinations.find(isEmulated);
  if (destination === undefined) return [];
  return [
    { streamName: destination.streamName, prefix: 'events' },
    ...(destination.failedStreamName === undefined
      ? []
      : [{ streamName: destination.failedStreamName, prefix: 'failed' } as const]),
  ];
}

/** A running local archive: the archiver, and the client it reads with. */
export interface LocalArchive {
  /** Reads the streams to their end, writes what is buffered, and closes the client. */
  stop(): Promise<void>;
}

/**
 * `npm start` with `ARCHIVE_DIR`: archives the local streams into `dir` in the archive's layout
 * (docs/archive.md "Locally: ARCHIVE_DIR"), reading the emulator itself (not through the fault
 * proxy: taking Kinesis "down" for the collector does not stop the archive).
 */
export async function startLocalArchive(
  local: Pick<LocalMode, 'config' | 'kinesisEndpoint'>,
  dir: string,
  region: string,
  onError: (error: Error) => void,
): Promise<LocalArchive> {
  const client = emulatorClient(local.kinesisEndpoint, region);
  let archiver: StreamArchiver;
  try {
    archiver = await startStreamArchiver({ client, dir, streams: archivedStreams(local), onError });
  } catch (error) {
    client.destroy();
    throw error;
  }
  return {
    stop: async () => {
      try {
        await archiver.stop();
      } finally {
        client.destroy();
      }
    },
  };
}
