import { crc32 } from 'node:zlib';

/**
 * One spool entry on disk:
 *
 *   magic 0xE5 0x01 | u32 payload length | f64 appended-at (epoch ms) | u32 CRC-32 | payload
 *
 * (little-endian). The CRC covers the timestamp and the payload, so a torn write (power cut
 * mid-append) or a flipped bit is detected, and the magic lets a reader find the next good
 * entry after a damaged one instead of losing the rest of the file.
 */
export const FRAME_MAGIC = 0x01e5; // bytes E5 01 when written little-endian
export const FRAME_HEADER_BYTES = 18;
/** Largest payload a frame may carry (a Kinesis record is at most 1 MiB). */
export const MAX_FRAME_PAYLOAD = 1024 * 1024;

/** CRC-32 of the timestamp, continued over the payload. */
function checksum(buf: Buffer, offset: number, length: number): number {
  const start = offset + FRAME_HEADER_BYTES;
  return crc32(buf.subarray(start, start + length), crc32(buf.subarray(offset + 6, offset + 14)));
}

export function encodeFrame(payload: Uint8Array, appendedAt: number): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.byteLength);
  frame.writeUInt16LE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(payload.byteLength, 2);
  frame.writeDoubleLE(appendedAt, 6);
  frame.set(payload, FRAME_HEADER_BYTES);
  frame.writeUInt32LE(checksum(frame, 0, payload.byteLength), 14);
  return frame;
}

export type FrameRead =
  | {
      readonly kind: 'frame';
      readonly payload: Buffer;
      readonly appendedAt: number;
      readonly next: number;
    }
  /** Not enough bytes for the frame the header announces (or for a header). */
  | { readonly kind: 'incomplete' }
  /** Bad magic, impossible length or checksum mismatch at `offset`. */
  | { readonly kind: 'corrupt' };

/**
 * Size of the whole frame whose header starts at `offset` of `buf` (which must hold the
 * header), or undefined if that is no frame header (bad magic, impossible length).
 */
export function frameBytes(buf: Buffer, offset: number): number | undefined {
  if (buf.readUInt16LE(offset) !== FRAME_MAGIC) return undefined;
  const length = buf.readUInt32LE(offset + 2);
  return length > MAX_FRAME_PAYLOAD ? undefined : FRAME_HEADER_BYTES + length;
}

/** Reads the frame that starts at `offset` of `buf`. */
export function readFrame(buf: Buffer, offset: number): FrameRead {
  if (offset + FRAME_HEADER_BYTES > buf.byteLength) return { kind: 'incomplete' };
  const bytes = frameBytes(buf, offset);
  if (bytes === undefined) return { kind: 'corrupt' };
  const length = bytes - FRAME_HEADER_BYTES;
  const end = offset + bytes;
  if (end > buf.byteLength) return { kind: 'incomplete' };
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, end);
  if (checksum(buf, offset, length) !== buf.readUInt32LE(offset + 14)) return { kind: 'corrupt' };
  return { kind: 'frame', payload, appendedAt: buf.readDoubleLE(offset + 6), next: end };
}

/** Offset of the next position after `from` that holds a complete, valid frame, or -1. */
export function resync(buf: Buffer, from: number): number {
  for (let i = from; i + FRAME_HEADER_BYTES <= buf.byteLength; i++) {
    if (buf[i] === 0xe5 && buf[i + 1] === 0x01 && readFrame(buf, i).kind === 'frame') return i;
  }
  return -1;
}
