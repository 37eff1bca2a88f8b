import type { Server } from 'node:http';

/**
 * Runs in an emulator's child process: listens with `server` on the port and host that
 * `startEmulator` passed to it (`listenAt`, read from its variables by the entry), reports the port (or the listen
 * error's code) over IPC, and exits when the parent stops it or goes away (not on Ctrl-C of its own:
 * the parent stops it), so no emulator outlives `npm start`.
 */
export function serveEmulator(server: Server, listenAt: { port?: string; host?: string }): void {
  const port = Number(listenAt.port ?? '0');
  const host = listenAt.host ?? '127.0.0.1';
  server.once('error', (error: NodeJS.ErrnoException) => {
    process.send?.({ error: error.code ?? error.message });
    process.exit(1);
  });
  server.listen(port, host, () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : port });
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  // Ctrl-C reaches the whole process group: the emulator outlives it until its parent stops it
  // (SIGTERM) or goes away (disconnect), so the parent can still read it to the end (ARCHIVE_DIR).
  process.on('SIGINT', () => undefined);
}
