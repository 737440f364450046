#!/usr/bin/env python3
"""Sign a telemetry record for the stream, as the edge client does (docs/contract.md, "Signed
records"): for a producer that is not the TypeScript edge client, a Python vision process say.

    python3 sign_record.py --signer panel-store-0042-lane-07 --key-id k-2026-12 \
        --key signing.pem < record.bin > signed.bin

reads the record's bytes (one JSON event, a KPL aggregate, or its gzip) on stdin and writes
the signed record to stdout; put it on the stream as it is. The key is the device's Ed25519
private key in PKCS#8 PEM (`openssl genpkey -algorithm ed25519`). Needs the `cryptography`
package (Debian: python3-cryptography).
"""
import argparse
import re
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

MAGIC = bytes([0xF3, 0x53, 0x49, 0x47])
VERSION = 1
ED25519 = 1
CONTEXT = b"store-telemetry-record-v1\x00"
IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")


def field(value: str) -> bytes:
    raw = value.encode("utf-8")
    if not 1 <= len(raw) <= 64 or not IDENTIFIER.match(value):
        raise ValueError(f"{value!r}: an identifier of 1 to 64 bytes")
    return bytes([len(raw)]) + raw


def sign_record(body: bytes, signer: str, key_id: str, key: Ed25519PrivateKey) -> bytes:
    header = bytes([VERSION, ED25519]) + field(signer) + field(key_id)
    signature = key.sign(CONTEXT + header + body)
    return MAGIC + header + bytes([len(signature)]) + signature + body


def main() -> None:
    parser = argparse.ArgumentParser(description="Sign a telemetry record (Ed25519).")
    parser.add_argument("--signer", required=True, help="the registered device id")
    parser.add_argument("--key-id", required=True, help="the key's id in the registry")
    parser.add_argument("--key", required=True, help="Ed25519 private key, PKCS#8 PEM")
    args = parser.parse_args()
    with open(args.key, "rb") as f:
        key = load_pem_private_key(f.read(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        sys.exit(f"{args.key}: not an Ed25519 private key")
    body = sys.stdin.buffer.read()
    if not body:
        sys.exit("no record on stdin")
    sys.stdout.buffer.write(sign_record(body, args.signer, args.key_id, key))


if __name__ == "__main__":
    main()
