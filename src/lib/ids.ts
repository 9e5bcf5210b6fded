import { randomFillSync } from 'node:crypto';

let lastMs = -1;
let last: Buffer = Buffer.alloc(16);

/**
 * Random bytes drawn 4 KiB at a time, as crypto.randomUUID does: asking the system for 16 bytes per id
 * was 2% of the server's CPU when opening a ticket (three ids each).
 */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomId(): Buffer {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return bytes;
}

/**
 * UUID version 7: time-ordered, so ids sort by creation and serve as pagination cursors,
 * and inserts land at the end of their index instead of all over it.
 * Within one millisecond (or when a clock steps back) the next id counts up from the previous one
 * (RFC 9562, monotonic random), so that rows written in one transaction, such as a ticket's events,
 * keep their order when sorted by id.
 */
export function newId(now = Date.now()): string {
  let bytes: Buffer;
  if (now > lastMs) {
    bytes = randomId();
    bytes.writeUIntBE(now, 0, 6);
    lastMs = now;
  } else {
    bytes = Buffer.from(last);
    for (let index = 15; index >= 8; index--) {
      bytes[index] = (bytes[index] + 1) & 0xff;
      if (bytes[index] !== 0) break;
    }
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  last = bytes;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
