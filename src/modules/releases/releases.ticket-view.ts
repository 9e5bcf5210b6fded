import { z } from 'zod';

/**
 * The version a ticket is about, and how its major version stands against the repository's release
 * windows. Imported by the tickets module (schema, presenter), so it imports nothing of tickets.
 */

const VERSION = /^v?(\d{1,6})(?:\.\d{1,9}){0,3}(?:[-+][0-9A-Za-z.+-]{1,40})?$/;

export const versionSchema = z
  .string()
  .trim()
  .max(50)
  .regex(VERSION, 'must be a version such as "7.2.1", "v8" or "8.0.0-rc.1"')
  .describe('The version of the software the ticket is about; its first number is the major version');

export const majorOf = (version: string): number => Number(VERSION.exec(version)![1]);

export const SUPPORT_STATUSES = ['general', 'guidance', 'unsupported', 'unknown'] as const;

export const versionSupportOut = z
  .object({
    major: z.number().int(),
    status: z.enum(SUPPORT_STATUSES).describe('general: General Support; guidance: Technical Guidance only; unsupported: outside every window; unknown: no window says'),
    upgradePath: z.string().nullable().describe('Where to go from here, when the version is in Technical Guidance or unsupported'),
  })
  .meta({ id: 'VersionSupport' });

/** One window as the ticket view carries it (dates as "YYYY-MM-DD"). */
export type WindowView = {
  major: number;
  general_from: string;
  general_until: string | null;
  guidance_from: string | null;
  guidance_until: string | null;
  upgrade_path: string;
};

const within = (day: string, from: string | null, until: string | null) => from !== null && from <= day && (until === null || day <= until);

/**
 * How `major` stood on `day` ("YYYY-MM-DD"): the ticket's creation date, so that a ticket keeps the
 * status it was opened under. A major older than every listed one is unsupported; a newer or unknown
 * one, or a date before its General Support starts, is unknown.
 */
export function versionSupportOf(major: number | null, windows: WindowView[], day: string): z.output<typeof versionSupportOut> | null {
  if (major === null) return null;
  const window = windows.find((candidate) => candidate.major === major);
  let status: (typeof SUPPORT_STATUSES)[number];
  if (!window) status = windows.length > 0 && major < Math.min(...windows.map((item) => item.major)) ? 'unsupported' : 'unknown';
  else if (within(day, window.general_from, window.general_until)) status = 'general';
  else if (within(day, window.guidance_from, window.guidance_until)) status = 'guidance';
  else status = day < window.general_from ? 'unknown' : 'unsupported';
  if (status !== 'guidance' && status !== 'unsupported') return { major, status, upgradePath: null };
  if (window?.upgrade_path) return { major, status, upgradePath: window.upgrade_path };
  const target = windows.filter((item) => item.major > major && within(day, item.general_from, item.general_until)).sort((a, b) => b.major - a.major)[0];
  return { major, status, upgradePath: target ? `Upgrade to version ${target.major}, which is in General Support${target.general_until ? ` until ${target.general_until}` : ''}.` : null };
}
