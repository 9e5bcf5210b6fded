import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AppError } from '../../errors.ts';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo: what turns Discord's raw 32-byte key into a key object. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Older signed timestamps are refused, so a captured interaction cannot be replayed later. */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

/** DISCORD_PUBLIC_KEY (64 hex characters) as a key object; throws when it is not one. */
export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error('DISCORD_PUBLIC_KEY must be the 64 hex characters shown on the application page');
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

const rejected = (message: string) => new AppError(401, 'invalid_signature', message);

/**
 * Discord signs `X-Signature-Timestamp + raw body` with Ed25519 and checks that endpoints refuse bad
 * signatures (it sends some on purpose): anything that does not verify is a 401.
 */
export function verifyDiscordRequest(key: KeyObject, raw: Buffer, headers: Record<string, unknown>, now: Date): void {
  const signature = headers['x-signature-ed25519'];
  const timestamp = headers['x-signature-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^[0-9a-f]{128}$/i.test(signature) || !/^\d{1,12}$/.test(timestamp)) {
    throw rejected('The request is not signed by Discord.');
  }
  if (!verify(null, Buffer.concat([Buffer.from(timestamp), raw]), key, Buffer.from(signature, 'hex'))) throw rejected('The signature does not match the request.');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SIGNATURE_AGE_SECONDS) throw rejected('The signed timestamp is too old or in the future.');
}
