import type { Form, Message } from '../../modules/assistant/assistant.types.ts';
import { ButtonStyle, ComponentType, MessageFlags, TextInputStyle, type DiscordMessageBody } from './client.ts';

/** The engine's messages in Discord's format: content, buttons and link buttons, a select menu, modals. */

const STYLE = { primary: ButtonStyle.Primary, secondary: ButtonStyle.Secondary, success: ButtonStyle.Success, danger: ButtonStyle.Danger } as const;
/** Discord's limits: 2000 characters of content, five rows of five buttons, 80 characters per label. */
const CONTENT_MAX = 2000;
const PER_ROW = 5;
const ROWS = 5;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function rows<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length && result.length < ROWS; index += PER_ROW) result.push(items.slice(index, index + PER_ROW));
  return result;
}

export function discordMessage(message: Message, options: { mention?: string } = {}): DiscordMessageBody {
  const buttons = [
    ...(message.buttons ?? []).map((button) => ({ type: ComponentType.Button as const, style: STYLE[button.style ?? 'secondary'], label: cut(button.label, 80), custom_id: button.action })),
    ...(message.links ?? []).map((link) => ({ type: ComponentType.Button as const, style: ButtonStyle.Link as const, label: cut(link.label, 80), url: link.url })),
  ];
  const components: NonNullable<DiscordMessageBody['components']> = rows(buttons).map((row) => ({ type: ComponentType.ActionRow, components: row }));
  if (message.choices && components.length < ROWS) {
    components.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: message.choices.action,
          placeholder: cut(message.choices.placeholder, 150),
          options: message.choices.options.slice(0, 25).map((option) => ({ value: option.value, label: cut(option.label, 100), description: option.description ? cut(option.description, 100) : undefined })),
        },
      ],
    });
  }
  // A helper's reply relayed from the ticket is signed with their name; the bot posts it.
  const body = message.from ? `**${message.from.name}**: ${message.text}` : message.text;
  const text = options.mention ? `<@${options.mention}> ${body}` : body;
  return {
    content: cut(text, CONTENT_MAX),
    components,
    flags: message.ephemeral ? MessageFlags.Ephemeral : undefined,
    // Only the person named is pinged; text from users (titles, descriptions) can never ping @everyone.
    allowed_mentions: { parse: [], users: options.mention ? [options.mention] : [] },
  };
}

export function discordModal(form: Form) {
  return {
    custom_id: form.action,
    title: cut(form.title, 45),
    components: form.fields.slice(0, 5).map((field) => ({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.TextInput,
          custom_id: field.id,
          label: cut(field.label, 45),
          style: field.style === 'paragraph' ? TextInputStyle.Paragraph : TextInputStyle.Short,
          required: field.required,
          max_length: Math.min(field.maxLength, 4000),
          placeholder: field.placeholder ? cut(field.placeholder, 100) : undefined,
          value: field.value,
        },
      ],
    })),
  };
}
