import type { Server } from 'node:http';
import kinesalite from 'kinesalite';

/**
 * An in-memory kinesalite server that behaves like Kinesis without its artificial waits: streams
 * are ACTIVE as soon as they are created. Not yet listening.
 */
export function createKinesalite(): Server {
  return kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
}
