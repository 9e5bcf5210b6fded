/**
 * What an issue comment asks of the app. A comment is a command when its first word is one: `/support`
 * opens a ticket, the helper commands act on the ticket; any other comment on an issue linked to
 * a ticket is a message for the ticket.
 */

/** The engine's helper commands (assistant.ticket-actions.ts), with their options as the engine reads them. */
export type HelperCommand = { name: 'claim' | 'quote' | 'log-time' | 'resolve'; options: Record<string, string> };

const HELPER_COMMAND = /^\s*\/(claim|quote|log|resolve)(?=\s|$)([\s\S]*)$/i;

/** `/quote 80 EUR [90m] Fix the retry policy`: an amount, a currency code, an optional estimate, what it covers. */
const QUOTE_ARGS = /^(\S+)\s+([A-Za-z]{3})(?:\s+(\d{1,5})\s*(?:m|min|mins|minutes)(?=\s|$))?\s+(\S[\s\S]*)$/;
/** `/log 30 reproduced it` or `/log 30m reproduced it`: minutes, then an optional note. */
const LOG_ARGS = /^(\d{1,6})\s*(?:m|min|mins|minutes)?(?:\s+([\s\S]*))?$/i;

/** The estimate a quote gets when the comment gives none: the length of a session booked from chat. */
export const DEFAULT_QUOTE_MINUTES = 60;

export const USAGE = {
  quote: 'Write a quote as `/quote <amount> <currency> <what it covers>`, for example `/quote 80 EUR Fix the retry policy` (add an estimate like `90m` after the currency; without one it is 60 minutes).',
  log: 'Log time as `/log <minutes> <what you did>`, for example `/log 30 Reproduced the bug on 4.2`.',
  resolve: 'Resolve with a summary: `/resolve <what solved it>`, for example `/resolve maxRetries was read as 1; fixed in 4.2.1`.',
};

/**
 * The helper command a comment starts with: the command and its options, `{ usage }` when the command is
 * written without what it needs (answered with how to write it), or null for any other comment. Values are
 * checked by the engine (an amount that is not one, an unknown currency), which refuses them politely.
 */
export function helperCommand(body: string): HelperCommand | { usage: string } | null {
  const match = HELPER_COMMAND.exec(body);
  if (!match) return null;
  const name = match[1].toLowerCase();
  const args = match[2].trim();
  if (name === 'claim') return { name: 'claim', options: {} };
  if (name === 'quote') {
    const quote = QUOTE_ARGS.exec(args);
    if (!quote) return { usage: USAGE.quote };
    const [, amount, currency, minutes, description] = quote;
    return { name: 'quote', options: { amount, currency, minutes: minutes ?? String(DEFAULT_QUOTE_MINUTES), description: description.trim() } };
  }
  if (name === 'log') {
    const log = LOG_ARGS.exec(args);
    return log ? { name: 'log-time', options: { minutes: log[1], note: (log[2] ?? '').trim() } } : { usage: USAGE.log };
  }
  return args ? { name: 'resolve', options: { summary: args } } : { usage: USAGE.resolve };
}
