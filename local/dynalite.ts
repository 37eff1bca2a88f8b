import type { Server } from 'node:http';
import dynalite from 'dynalite';

/**
 * An in-memory dynalite server (the DynamoDB emulator from kinesalite's author) without its
 * artificial waits: tables are ACTIVE as soon as they are created. Not yet listening. It has no TTL:
 * the seen store treats expired marks as absent itself.
 */
export function createDynalite(): Server {
  return dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
}
