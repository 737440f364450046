import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../../edge-client/src/cli/daemon-config.js';

function configFile(config: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'edge-cfg-')), 'edge.json');
  writeFileSync(file, JSON.stringify({ streamName: 's', spool: { dir: '/tmp/x' }, ...config }));
  return file;
}

describe('Function: loadDaemonConfig', () => {
  it('requires the device the daemon sends as, naming the relay alternative', () => {
    expect(() => loadDaemonConfig(configFile({}))).toThrow(
      /deviceId: required: the device id this daemon sends as \(or "relay": true/,
    );
  });

  it('takes a deviceId, or a deliberate relay, but not both', () => {
    expect(loadDaemonConfig(configFile({ deviceId: 'panel-store-0001-lane-01' }))).toMatchObject({
      deviceId: 'panel-store-0001-lane-01',
      relay: false,
    });
    expect(loadDaemonConfig(configFile({ relay: true }))).toMatchObject({ relay: true });
    expect(() =>
      loadDaemonConfig(configFile({ relay: true, deviceId: 'panel-store-0001-lane-01' })),
    ).toThrow(/relay: a relay forwards each event as its own device, so it takes no deviceId/);
  });
});
