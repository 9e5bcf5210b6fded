import { createHmac } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { safeEqual } from '../../lib/secrets.ts';

/** Older signed timestamps are refused, so a captured request cannot be replayed later (Slack's advice: 5 minutes). */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

const rejected = (message: string) => new AppError(401, 'invalid_signature', message);

/** Slack's v0 signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret. */
export function slackSignature(secret: string, timestamp: string, raw: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`;
}

/**
 * Checks X-Slack-Signature over the exact bytes received, then the timestamp's age. Anything that does
 * not verify is a 401 and is not read any further.
 */
export function verifySlackRequest(secret: string, raw: Buffer, headers: Record<string, unknown>, now: Date): void {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signature) || !/^\d{1,12}$/.test(timestamp)) {
    throw rejected('The request is not signed by Slack.');
  }
  if (!safeEqual(slackSignature(secret, timestamp, raw), signature)) throw rejected('The signature does not match the request.');
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > MAX_SIGNATURE_AGE_SECONDS) throw rejected('The signed timestamp is too old or in the future.');
}
