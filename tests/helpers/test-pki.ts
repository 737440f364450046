import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A test PKI made fresh with openssl in a temporary folder: a CA (`ca`) and a rogue one
 * (`rogue-ca`), a server certificate for 127.0.0.1 (`server`), a device certificate of
 * `panel-store-0001-lane-01` (`device`) and one of the same name from the rogue CA (`rogue`).
 * Every key is EC P-256, in `<name>.key`, each certificate in `<name>.pem`.
 */
export function makeTestPki() {
  const dir = mkdtempSync(join(tmpdir(), 'iot-pki-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'rogue-ca'])
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      file(`${ca}.key`),
      '-out',
      file(`${ca}.pem`),
      '-days',
      '1',
      '-subj',
      `/CN=${ca}`,
    );
  const issue = (name: string, cn: string, ca: string, ext?: string) => {
    openssl(
      'req',
      ...ec,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    );
    const extArgs = ext === undefined ? [] : ['-extfile', file(`${name}.ext`)];
    if (ext !== undefined) writeFileSync(file(`${name}.ext`), ext);
    openssl(
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${ca}.pem`),
      '-CAkey',
      file(`${ca}.key`),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '1',
      ...extArgs,
    );
  };
  issue('server', '127.0.0.1', 'ca', 'subjectAltName=IP:127.0.0.1\n');
  issue('device', 'panel-store-0001-lane-01', 'ca');
  issue('rogue', 'panel-store-0001-lane-01', 'rogue-ca');
  return {
    dir,
    file,
    pem: (name: string) => readFileSync(file(`${name}.pem`)),
    key: (name: string) => readFileSync(file(`${name}.key`)),
  };
}
