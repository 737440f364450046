import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAEMON_NODE_FLAGS } from '../helpers/daemon-process.js';

describe('Config: the edge daemon as tests and the soak start it', () => {
  it('runs with the same heap limits as `npm run edge-client` on a panel PC', () => {
    const script = JSON.parse(readFileSync('package.json', 'utf8')).scripts[
      'edge-client'
    ] as string;
    for (const flag of DAEMON_NODE_FLAGS) expect(script).toContain(flag);
  });
});
