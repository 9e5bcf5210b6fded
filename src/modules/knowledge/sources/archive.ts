import zlib from 'node:zlib';
import { AppError, badRequest } from '../../../errors.ts';
import { decodeText, skipReason, type ReadResult, type SourceDocument, type Skipped } from './files.ts';

export type ArchiveLimits = { maxFileBytes: number; maxFiles: number; maxUnpackedBytes: number };

const tooLarge = (message: string) => new AppError(413, 'archive_too_large', message);

/**
 * The documents inside an uploaded .tar, .tar.gz or .zip, read in memory (nothing is written to
 * disk, so no entry can land outside a folder). The whole archive is refused when an entry's path is
 * absolute or climbs out with "..", when it holds a symbolic or hard link, or when it unpacks to more
 * than `maxUnpackedBytes` or `maxFiles` entries (a zip bomb): the sizes are checked before inflating,
 * and inflating itself stops at the declared size.
 */
export function readArchive(bytes: Buffer, limits: ArchiveLimits): ReadResult {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    let tar: Buffer;
    try {
      tar = zlib.gunzipSync(bytes, { maxOutputLength: limits.maxUnpackedBytes });
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw tooLarge(`The archive unpacks to more than ${limits.maxUnpackedBytes} bytes; upload a smaller one.`);
      }
      throw badRequest('The gzip data is corrupt.');
    }
    return readTar(tar, limits);
  }
  if (bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50) return readZip(bytes, limits);
  if (bytes.length >= 263 && bytes.toString('latin1', 257, 262) === 'ustar') return readTar(bytes, limits);
  throw badRequest('The upload is not a tar, tar.gz or zip archive.');
}

/** A relative path inside the archive, or a refusal naming the entry. */
export function safeEntryPath(name: string): string {
  const normalized = name.replace(/\\/g, '/');
  if (normalized.startsWith('/') || /^[a-zA-Z]:/.test(normalized)) {
    throw badRequest(`The archive entry "${name}" has an absolute path; archives must hold relative paths only.`);
  }
  const parts = normalized.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw badRequest(`The archive entry "${name}" climbs out of the archive with "..": refused.`);
  return parts.join('/');
}

class Collector {
  readonly documents: SourceDocument[] = [];
  readonly skipped: Skipped[] = [];
  private entries = 0;
  private unpacked = 0;
  private readonly limits: ArchiveLimits;

  constructor(limits: ArchiveLimits) {
    this.limits = limits;
  }

  /** Counts an entry against the limits; true when its content should be read. */
  admit(path: string, size: number): boolean {
    if (++this.entries > this.limits.maxFiles) throw tooLarge(`The archive holds more than ${this.limits.maxFiles} entries.`);
    this.unpacked += size;
    if (this.unpacked > this.limits.maxUnpackedBytes) throw tooLarge(`The archive unpacks to more than ${this.limits.maxUnpackedBytes} bytes; upload a smaller one.`);
    const reason = skipReason(path, size, this.limits);
    if (reason) this.skipped.push({ path, reason });
    return reason === null;
  }

  add(path: string, content: Buffer) {
    const text = decodeText(content);
    if (text === null) this.skipped.push({ path, reason: 'binary file (not UTF-8 text)' });
    else this.documents.push({ path, content: text });
  }
}

function octal(block: Buffer, start: number, length: number): number {
  // Sizes over 8 GB use base-256: the high bit of the first byte is set.
  if (block[start] & 0x80) {
    let value = block[start] & 0x7f;
    for (let index = start + 1; index < start + length; index++) value = value * 256 + block[index];
    return value;
  }
  const text = block.toString('latin1', start, start + length).replace(/\0.*$/s, '').trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start);
  return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end);
}

function readTar(tar: Buffer, limits: ArchiveLimits): ReadResult {
  const collector = new Collector(limits);
  let offset = 0;
  let longName: string | null = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = cString(header, 345, 155);
    const rawName = longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
    const dataStart = offset + 512;
    if (dataStart + size > tar.length) throw badRequest('The tar archive is truncated.');
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / 512) * 512;
    longName = null;
    if (type === 'L') {
      longName = data.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? null;
      continue;
    }
    if (type === 'g') continue;
    const path = safeEntryPath(rawName);
    if (type === '1' || type === '2') throw badRequest(`The archive entry "${rawName}" is a link; archives with links are refused.`);
    if (type === '5' || rawName.endsWith('/')) continue;
    if (type !== '0' && type !== '7') {
      collector.skipped.push({ path, reason: 'not a regular file' });
      continue;
    }
    if (collector.admit(path, size)) collector.add(path, data);
  }
  return { documents: collector.documents, skipped: collector.skipped };
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

function readZip(zip: Buffer, limits: ArchiveLimits): ReadResult {
  const collector = new Collector(limits);
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  if (count > limits.maxFiles) throw tooLarge(`The archive holds more than ${limits.maxFiles} entries.`);
  // Sum the declared sizes first: a bomb is refused before a single byte is inflated.
  const entries = [];
  for (let index = 0; index < count; index++) {
    if (offset + 46 > zip.length || zip.readUInt32LE(offset) !== 0x02014b50) throw badRequest('The zip archive is corrupt (central directory).');
    const madeBy = zip.readUInt16LE(offset + 4);
    const flags = zip.readUInt16LE(offset + 8);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const attributes = zip.readUInt32LE(offset + 38);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    if (size === 0xffffffff || compressedSize === 0xffffffff) throw tooLarge(`The archive entry "${name}" is over 4 GB (ZIP64).`);
    const path = safeEntryPath(name);
    if (madeBy >> 8 === 3 && ((attributes >>> 16) & S_IFMT) === S_IFLNK) throw badRequest(`The archive entry "${name}" is a symbolic link; archives with links are refused.`);
    entries.push({ name, path, flags, method, compressedSize, size, localOffset });
  }
  const declared = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (declared > limits.maxUnpackedBytes) throw tooLarge(`The archive unpacks to ${declared} bytes, over the ${limits.maxUnpackedBytes}-byte limit.`);
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue;
    if (!collector.admit(entry.path, entry.size)) continue;
    if (entry.flags & 1) {
      collector.skipped.push({ path: entry.path, reason: 'encrypted entry' });
      continue;
    }
    const local = entry.localOffset;
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== 0x04034b50) throw badRequest('The zip archive is corrupt (local header).');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(dataStart, dataStart + entry.compressedSize);
    if (entry.method === 0) collector.add(entry.path, data.subarray(0, entry.size));
    else if (entry.method === 8) collector.add(entry.path, inflate(data, entry.size, entry.name));
    else collector.skipped.push({ path: entry.path, reason: `unsupported compression method ${entry.method}` });
  }
  return { documents: collector.documents, skipped: collector.skipped };
}

/** Inflates at most the declared size: an entry that lies about its size is refused, not unpacked. */
function inflate(data: Buffer, size: number, name: string): Buffer {
  try {
    return zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
  } catch {
    throw tooLarge(`The archive entry "${name}" unpacks to more than its declared ${size} bytes (or is corrupt); refused.`);
  }
}

function findEndOfCentralDirectory(zip: Buffer): number {
  for (let offset = zip.length - 22; offset >= Math.max(0, zip.length - 65_557); offset--) {
    if (zip.readUInt32LE(offset) === 0x06054b50) return offset;
  }
  throw badRequest('The zip archive is corrupt (no end of central directory).');
}
