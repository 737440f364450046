// kinesalite and dynalite ship no types: both export a factory for a node http(s) server.
declare module 'kinesalite' {
  import type { Server } from 'node:net';
  export default function kinesalite(options?: Record<string, unknown>): Server;
}
declare module 'dynalite' {
  import type { Server } from 'node:net';
  export default function dynalite(options?: Record<string, unknown>): Server;
}
