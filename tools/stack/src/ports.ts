import net from 'node:net';

// Below Linux's ephemeral range (32768–60999 by default): a port the OS handed out for listen(0), or one
// picked inside that range, can be taken as the source port of any outgoing connection between the check
// and the service's own listen (EADDRINUSE when the machine is busy). Ports here are only ever taken by
// another listener, and picking them at random keeps two concurrent pickers apart.
const FIRST_PORT = 10_000;
const LAST_PORT = 32_000;
const ATTEMPTS = 200;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive ports nothing listens on, chosen at random below the ephemeral range. */
export async function freePortRange(count: number): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const first = FIRST_PORT + Math.floor(Math.random() * (LAST_PORT - FIRST_PORT - count));
    let free = true;
    for (let port = first; free && port < first + count; port++) free = await canListen(port);
    if (free) return first;
  }
  throw new Error(`no ${count} consecutive free ports between ${FIRST_PORT} and ${LAST_PORT}`);
}

/** One port nothing listens on (see freePortRange). */
export function freePort(): Promise<number> {
  return freePortRange(1);
}
