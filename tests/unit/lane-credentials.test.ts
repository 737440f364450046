import { chmodSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LaneCredentials, readLaneToken, SecretFileModeError, sha256Hex } from '#edge-client';

const TOKEN_A = 'a1'.repeat(20);
const TOKEN_B = 'b2'.repeat(20);

describe('Class: LaneCredentials', () => {
  it('identifies a lane by its token, knowing only the hash', () => {
    const lanes = new LaneCredentials([
      { deviceId: 'lane-a', tokenSha256: sha256Hex(TOKEN_A) },
      { deviceId: 'lane-b', tokenSha256: sha256Hex(TOKEN_B) },
    ]);
    expect(lanes.identify(TOKEN_A)).toBe('lane-a');
    expect(lanes.identify(TOKEN_B)).toBe('lane-b');
    expect(lanes.identify(sha256Hex(TOKEN_A))).toBeUndefined(); // the hash is not the token
    expect(lanes.identify('')).toBeUndefined();
  });

  it('refuses a hash that is not SHA-256 hex, and one shared by two lanes', () => {
    expect(() => new LaneCredentials([{ deviceId: 'lane-a', tokenSha256: TOKEN_A }])).toThrow(
      /64 lowercase hex/,
    );
    const hash = sha256Hex(TOKEN_A);
    expect(
      () =>
        new LaneCredentials([
          { deviceId: 'lane-a', tokenSha256: hash },
          { deviceId: 'lane-b', tokenSha256: hash },
        ]),
    ).toThrow(/another lane's/);
  });

  it('refuses a lane listed twice (one deviceId, two tokens)', () => {
    // Two PCs under one deviceId would number their events alike, and the processor would
    // drop one's as the other's duplicates; or a replaced PC's old token would stay valid.
    expect(
      () =>
        new LaneCredentials([
          { deviceId: 'lane-a', tokenSha256: sha256Hex(TOKEN_A) },
          { deviceId: 'lane-a', tokenSha256: sha256Hex(TOKEN_B) },
        ]),
    ).toThrow(/lane-a.*listed twice/);
  });
});

describe('Function: readLaneToken', () => {
  const file = (mode: number, text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'lane-token-')), 'lane.token');
    writeFileSync(path, text);
    chmodSync(path, mode);
    return path;
  };

  it('reads an owner-only token file, trimmed', () => {
    expect(readLaneToken(file(0o600, `${TOKEN_A}\n`))).toBe(TOKEN_A);
  });

  it('refuses a token file others may read, and a token too short to be one', () => {
    expect(() => readLaneToken(file(0o644, TOKEN_A))).toThrow(SecretFileModeError);
    expect(() => readLaneToken(file(0o640, TOKEN_A))).toThrow(/chmod 600/);
    expect(() => readLaneToken(file(0o600, 'short'))).toThrow(/at least 32 characters/);
    expect(() => readLaneToken(file(0o600, ''))).toThrow(/at least 32 characters/);
    expect(() => readLaneToken(file(0o600, '\n\n'))).toThrow(/at least 32 characters/);
  });

  it('refuses a token an Authorization header cannot carry as it is', () => {
    // A lane with such a token would start, then never deliver (the header is refused or
    // re-encoded on the way): refused at start instead.
    expect(() => readLaneToken(file(0o600, `${TOKEN_A}\u20ac`))).toThrow(/token68/);
    expect(() => readLaneToken(file(0o600, `${TOKEN_A}\u0001`))).toThrow(/token68/);
    expect(() => readLaneToken(file(0o600, `${TOKEN_A}\u00e9`))).toThrow(/token68/);
    expect(readLaneToken(file(0o600, `${TOKEN_A}-._~+/==`))).toBe(`${TOKEN_A}-._~+/==`);
  });

  it('checks the file a symlink points to', () => {
    const target = file(0o644, TOKEN_A);
    const link = join(mkdtempSync(join(tmpdir(), 'lane-token-')), 'lane.token');
    symlinkSync(target, link);
    expect(() => readLaneToken(link)).toThrow(SecretFileModeError);
    chmodSync(target, 0o600);
    expect(readLaneToken(link)).toBe(TOKEN_A);
  });
});
