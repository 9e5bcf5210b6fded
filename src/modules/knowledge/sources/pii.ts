/**
 * Personal data removed from a resolved ticket before it may teach the AI: email addresses, phone
 * numbers, links that carry credentials or tokens, well-known secret formats, and the requester's
 * names. What stays is the problem and its solution.
 */
export type Person = { displayName?: string | null; email?: string | null; githubLogin?: string | null };

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const URL_PATTERN = /\bhttps?:\/\/[^\s<>()"']+/g;
const TOKEN_PARAMETER = /[?&#](?:[\w-]*(?:token|key|secret|sig|signature|password|passwd|auth|session|code|credential)[\w-]*)=/i;
const SECRET = /\b(?:sk|pk|rk)_(?:live|test)_[\w]{8,}|\bgh[pousr]_[A-Za-z0-9]{20,}|\bxox[abpr]-[\w-]{10,}|\bAKIA[0-9A-Z]{16}\b|\beyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/g;
const PHONE_CANDIDATE = /\+?\(?\d[\d\s().-]{6,}\d/g;

function isPhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '').length;
  if (digits > 15) return false;
  // A leading + or ( marks a phone number; otherwise 9+ digits, so versions (4.2.1) and dates (2025-01-31) stay.
  return /^[+(]/.test(candidate) ? digits >= 7 : digits >= 9;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function scrubPersonalData(text: string, people: Person[] = []): string {
  let result = text
    .replace(SECRET, '[secret]')
    .replace(URL_PATTERN, (url) => (TOKEN_PARAMETER.test(url) || /\/\/[^/\s]*@/.test(url) ? '[link removed]' : url))
    .replace(EMAIL, '[email]')
    .replace(PHONE_CANDIDATE, (candidate) => (isPhone(candidate) ? '[phone]' : candidate));
  const names = new Set<string>();
  for (const person of people) {
    if (person.displayName) {
      names.add(person.displayName);
      for (const part of person.displayName.split(/\s+/)) if (part.length >= 3) names.add(part);
    }
    if (person.githubLogin) names.add(person.githubLogin);
    const local = person.email?.split('@')[0];
    if (local && local.length >= 3) names.add(local);
  }
  for (const name of [...names].sort((a, b) => b.length - a.length)) {
    result = result.replace(new RegExp(`(?<![\\p{L}\\p{N}])@?${escape(name)}(?![\\p{L}\\p{N}])`, 'giu'), '[name]');
  }
  return result;
}
