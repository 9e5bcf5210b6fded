import PostalMime from 'postal-mime';

/**
 * An inbound email read with postal-mime: who sent it, every address it was sent to (a reply address may
 * be in To, Cc or Delivered-To), its Message-ID, and the new text of the reply with the quoted history
 * taken off.
 */
export type InboundEmail = {
  from: string | null;
  fromName: string;
  recipients: string[];
  messageId: string | null;
  subject: string;
  /** The reply's own words; '' when the message has no text part (only HTML images, attachments…). */
  reply: string;
  /** Sent by a program, not a person: an out-of-office answer, a bounce, a bulk mailing (RFC 3834). */
  automatic: boolean;
  /** The values of its Authentication-Results headers, topmost (added last, by the server nearest us) first. */
  authResults: string[];
};

const mailboxes = (list: { address?: string; group?: { address: string }[] }[] | undefined): string[] =>
  (list ?? []).flatMap((entry) => (entry.group ? entry.group.map((member) => member.address) : entry.address ? [entry.address] : []));

export async function parseEmail(raw: Buffer): Promise<InboundEmail> {
  const email = await PostalMime.parse(raw, { maxNestingDepth: 20, maxHeadersSize: 256 * 1024 });
  const from = email.from && !email.from.group ? email.from : null;
  const text = email.text ?? (email.html ? textOfHtml(email.html) : '');
  return {
    from: from?.address ?? null,
    fromName: from?.name ?? '',
    recipients: [...mailboxes(email.to), ...mailboxes(email.cc), ...(email.deliveredTo ? [email.deliveredTo] : [])],
    messageId: email.messageId?.trim() || null,
    subject: email.subject ?? '',
    reply: stripQuoted(text),
    automatic: isAutomatic(email.headers),
    authResults: email.headers.filter(({ key }) => key.toLowerCase() === 'authentication-results').map(({ value }) => value),
  };
}

/**
 * RFC 3834's `Auto-Submitted` (anything but "no"), and the older signs autoresponders still send:
 * `Precedence: bulk | junk | auto_reply` and `X-Autoreply` / `X-Autorespond`. Answering them in kind is
 * how two robots end up writing to each other forever.
 */
function isAutomatic(headers: { key: string; value: string }[]): boolean {
  return headers.some(({ key, value }) => {
    const name = key.toLowerCase();
    const text = value.trim().toLowerCase();
    if (name === 'auto-submitted') return text !== '' && !text.startsWith('no');
    if (name === 'precedence') return ['bulk', 'junk', 'auto_reply'].includes(text);
    return name === 'x-autoreply' || name === 'x-autorespond';
  });
}

/** A text rendering of an HTML-only reply: blocks become lines, quoted blocks (<blockquote>) are dropped. */
function textOfHtml(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<blockquote[\s\S]*?<\/blockquote>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h\d|tr)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Lines that start the quoted history in the mail clients people use: Gmail and Apple Mail's
 * "On <date>, <name> wrote:" (which Gmail may wrap over two lines), Outlook's "-----Original Message-----"
 * and its "From: … Sent: …" header block, and localized variants of "wrote".
 */
const HISTORY_STARTS = [
  /^On\b[\s\S]{0,300}\bwrote:\s*$/,
  /^Le\b[\s\S]{0,300}\ba écrit\s*:\s*$/,
  /^Am\b[\s\S]{0,300}\bschrieb\b[\s\S]{0,100}:\s*$/,
  /^El\b[\s\S]{0,300}\bescribió:\s*$/,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
  /^From:\s.+$/,
];

/**
 * The new part of a reply: everything above the quoted history, without `>` lines and without the
 * signature (after the "-- " delimiter of RFC 3676; also a bare "--", which many clients send).
 */
export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const trimmed = line.trim();
    if (trimmed === '--' || line === '-- ') break;
    // "On Mon, 2 Jun 2025 at 10:00, Ada <ada@example.com>" + newline + "wrote:": Gmail's wrapped attribution.
    const next = (lines[index + 1] ?? '').trim();
    const wrapped = /^On\b/.test(trimmed) && /\bwrote:\s*$/.test(next) && HISTORY_STARTS[0].test(`${trimmed} ${next}`);
    if (wrapped || HISTORY_STARTS.some((start) => start.test(trimmed))) break;
    if (/^\s*>/.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}
