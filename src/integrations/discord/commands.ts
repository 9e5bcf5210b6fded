import type { RESTPostAPIApplicationCommandsJSONBody } from './client.ts';

/** Discord's option types: 3 string, 4 integer. */
const text = (name: string, description: string, required = false, extra: Record<string, unknown> = {}) => ({ type: 3, name, description, required, ...extra });
const integer = (name: string, description: string, required = false) => ({ type: 4, name, description, required, min_value: 1, max_value: 10_000 });
const ticket = text('ticket', "The ticket's id; leave it out inside the ticket's thread");

/** The slash commands the engine understands (assistant.service.ts), as scripts/discord-register-commands.ts registers them. */
export const DISCORD_COMMANDS = [
  { name: 'support', description: 'Get help with an open-source project: AI answers, the community, or a paid expert', options: [text('repository', 'owner/name; start typing to search', true, { autocomplete: true, max_length: 140 })] },
  { name: 'ticket', description: 'Show a ticket and what you can do with it', options: [ticket] },
  { name: 'link', description: 'Link your Discord account to your Backline account (by email)' },
  { name: 'claim', description: 'Helpers: take an open expert ticket', options: [ticket] },
  {
    name: 'quote',
    description: 'Helpers: send the customer a quote',
    options: [text('amount', 'Price, like 99.50', true, { max_length: 12 }), text('currency', 'EUR, USD…', true, { min_length: 3, max_length: 3 }), integer('minutes', 'Estimated minutes of work', true), text('description', 'What the price covers', true, { max_length: 2000 }), ticket],
  },
  { name: 'log-time', description: 'Helpers: log minutes worked on a ticket', options: [integer('minutes', 'Minutes worked', true), text('note', 'What you did', false, { max_length: 2000 }), ticket] },
  { name: 'resolve', description: 'Helpers: mark a ticket resolved', options: [text('summary', 'What solved it', true, { max_length: 2000 }), ticket] },
] as RESTPostAPIApplicationCommandsJSONBody[];
