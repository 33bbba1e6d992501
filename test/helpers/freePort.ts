import { createServer } from 'node:net';

/** A port nothing listens on now, on 127.0.0.1 (the kernel picks it; the server that held it is closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
