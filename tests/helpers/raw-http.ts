import { connect } from 'node:net';

/**
 * Sends `bytes` on a fresh TCP connection to `url`'s host and port, as no HTTP client would
 * (malformed request lines, bodies cut short). With `abort`, the socket is destroyed right
 * after the write; otherwise the promise resolves with everything the server sent once it
 * closed the connection (send `Connection: close` for a well-formed request).
 */
export function rawExchange(
  url: string,
  bytes: string | Buffer,
  options: { abort?: boolean } = {},
): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => undefined); // a reset is an answer too: what came before it counts
    socket.on('close', () => resolve(received));
    socket.on('connect', () => {
      socket.write(bytes, () => {
        if (options.abort === true) socket.destroy();
      });
    });
  });
}

/** A `POST` that declares `declared` body bytes and sends only `sent`, then hangs up. */
export const abortedPost = (path: string, declared = 1000, sent = 8) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${declared}\r\n\r\n${'{'.repeat(sent)}`;

/** The request line that crashed both servers' URL parsing. */
export const MALFORMED_TARGET =
  'GET http://[ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
