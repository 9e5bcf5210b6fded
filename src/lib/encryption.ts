import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Credentials we must be able to read back (a Slack workspace's bot token) are encrypted at rest with
 * AES-256-GCM: a random 96-bit IV per value, the 128-bit tag checked on the way back, and `context`
 * (what the value belongs to, such as a team id) as associated data, so a ciphertext moved to another
 * row fails to decrypt instead of being used for the wrong owner.
 */
const VERSION = 'v1';

/** TOKEN_ENCRYPTION_KEY as 32 bytes: 64 hex characters or 44 characters of base64. */
export function parseEncryptionKey(text: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error('must be 32 random bytes, as 64 hex characters or base64 (openssl rand -hex 32)');
  return key;
}

export function encryptSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** Throws when the value was not encrypted with this key for this context, or was altered. */
export function decryptSecret(key: Buffer, stored: string, context: string): string {
  const [version, iv, tag, ciphertext, ...rest] = stored.split('.');
  if (version !== VERSION || rest.length || !iv || !tag || ciphertext === undefined) throw new Error('not an encrypted secret of a known version');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
