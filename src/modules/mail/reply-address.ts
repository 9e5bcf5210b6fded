import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.ts';

/**
 * Reply addresses of ticket notifications: `reply+<token>@INBOUND_EMAIL_DOMAIN`, the token the ticket's
 * id, the recipient's user id and an HMAC of both under EMAIL_REPLY_SECRET. A reply is added to that
 * ticket as that person, so the MAC is what stops anyone from writing to a ticket as someone else, or
 * moving a reply to another ticket: changing any byte of the ids breaks it.
 *
 * 16 + 16 bytes of ids and a 12-byte MAC (96 bits) in base64url is 59 characters; with `reply+` the local
 * part stays near the 64 that RFC 5321 allows. Like GitHub's reply addresses, the token is case-sensitive.
 * The confirmation links of held support requests (integrations/email/confirmation.ts) are sealed the same way.
 */
const MAC_BYTES = 12;

export type ReplyTarget = { ticketId: string; userId: string };

const REPLY_PURPOSE = 'backline-reply-v1';
const IDS_BYTES = 32;

export const uuidBytes = (uuid: string) => Buffer.from(uuid.replaceAll('-', ''), 'hex');
export const uuidOf = (bytes: Buffer) => bytes.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
const macOf = (secret: string, purpose: string, data: Buffer) => createHmac('sha256', secret).update(`${purpose}:`).update(data).digest().subarray(0, MAC_BYTES);

/** True when replies by email are on: a domain to receive them and a key to sign them. */
export const emailRepliesOn = (config: Config) => Boolean(config.INBOUND_EMAIL_DOMAIN && config.EMAIL_REPLY_SECRET);

/**
 * `data` and its MAC under `secret` for one `purpose` (a token of one kind never reads as another), in
 * base64url: the tokens of the email channel (reply addresses, confirmation links) are all made here.
 */
export function sealToken(secret: string, purpose: string, data: Buffer): string {
  return Buffer.concat([data, macOf(secret, purpose, data)]).toString('base64url');
}

/** The `dataBytes` bytes a token was sealed with for `purpose`, or null for anything unsigned, altered or malformed. */
export function openToken(secret: string, purpose: string, token: string, dataBytes: number): Buffer | null {
  if (token.length !== Math.ceil(((dataBytes + MAC_BYTES) * 4) / 3) || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const bytes = Buffer.from(token, 'base64url');
  // The last character may carry spare bits ('A' and 'B' there can decode the same): only the one spelling
  // the token was issued in is accepted, so any altered character fails.
  if (bytes.toString('base64url') !== token) return null;
  const data = bytes.subarray(0, dataBytes);
  return timingSafeEqual(bytes.subarray(dataBytes), macOf(secret, purpose, data)) ? data : null;
}

export function replyToken(secret: string, target: ReplyTarget): string {
  return sealToken(secret, REPLY_PURPOSE, Buffer.concat([uuidBytes(target.ticketId), uuidBytes(target.userId)]));
}

/** The ticket and person a token was signed for, or null for anything unsigned, altered or malformed. */
export function readReplyToken(secret: string, token: string): ReplyTarget | null {
  const ids = openToken(secret, REPLY_PURPOSE, token, IDS_BYTES);
  return ids && { ticketId: uuidOf(ids.subarray(0, 16)), userId: uuidOf(ids.subarray(16)) };
}

/** The address a notification to `userId` about `ticketId` asks to be answered at; null when replies are off. */
export function replyAddress(config: Config, ticketId: string, userId: string): string | null {
  if (!emailRepliesOn(config)) return null;
  return `reply+${replyToken(config.EMAIL_REPLY_SECRET!, { ticketId, userId })}@${config.INBOUND_EMAIL_DOMAIN!.toLowerCase()}`;
}

/**
 * Reads an address an email was sent to: 'foreign' when it is not one of our reply addresses (another
 * recipient of the same mail), 'forged' when it is one but its token does not verify.
 */
export function readReplyAddress(config: Config, address: string): ReplyTarget | 'foreign' | 'forged' {
  const match = /^reply\+([^@]*)@(.+)$/i.exec(address.trim());
  if (!match || match[2].toLowerCase() !== config.INBOUND_EMAIL_DOMAIN?.toLowerCase()) return 'foreign';
  return readReplyToken(config.EMAIL_REPLY_SECRET!, match[1]) ?? 'forged';
}

/** The line notifications end with when they can be answered by email. */
export const REPLY_HINT = 'Reply to this email to answer in the ticket (keep your reply above the quoted text).';

/**
 * A repository's support address: `support+<owner>.<name>@INBOUND_EMAIL_DOMAIN`, lowercased. A mail to it
 * opens a new ticket on that repository. GitHub owners have no dots, so the first dot ends the owner and
 * a repository name may hold more (`support+acme.widget.js@…` is acme/widget.js).
 */
export function supportAddress(config: Config, fullName: string): string | null {
  if (!emailRepliesOn(config)) return null;
  return `support+${fullName.toLowerCase().replace('/', '.')}@${config.INBOUND_EMAIL_DOMAIN!.toLowerCase()}`;
}

/** The repository ("owner/name") a support address names, or null for any other address. */
export function readSupportAddress(config: Config, address: string): string | null {
  const match = /^support\+([a-z0-9](?:[a-z0-9-]{0,38}))\.([\w.-]{1,100})@(.+)$/i.exec(address.trim());
  if (!match || match[3].toLowerCase() !== config.INBOUND_EMAIL_DOMAIN?.toLowerCase()) return null;
  return `${match[1]}/${match[2]}`.toLowerCase();
}
