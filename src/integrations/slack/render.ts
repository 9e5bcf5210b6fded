import type { Form, Message } from '../../modules/assistant/assistant.types.ts';
import type { SlackBlocks, View } from './client.ts';

/**
 * The engine's messages as Block Kit: text in sections (Slack's mrkdwn), buttons and link buttons in
 * actions blocks, an offering list as a static select, the repository search as an external select, and
 * forms as modals. Text from people (titles, descriptions) is escaped, so it can never mention
 * @channel or a user, nor form a link.
 */

/** Slack's limits: 3000 characters per section, 25 elements per actions block, 75 per button label, 24 per modal title. */
const SECTION_MAX = 3000;
const MESSAGE_MAX = 12_000;
const ELEMENTS_MAX = 25;
/** Link buttons send an action too; this prefix marks them as nothing to act on. */
export const LINK_ACTION_PREFIX = 'link:';

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
/** The engine writes **bold**; Slack's mrkdwn writes *bold*. */
const mrkdwn = (text: string) => escape(text).replace(/\*\*([^*\n]+)\*\*/g, '*$1*');
const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: cut(text, max), emoji: true });

function sections(text: string): SlackBlocks {
  const blocks: SlackBlocks = [];
  for (let rest = cut(text, MESSAGE_MAX); rest.length > 0; rest = rest.slice(SECTION_MAX)) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: rest.slice(0, SECTION_MAX) } });
  }
  return blocks;
}

/** `mention` prefixes the text with the person (a ticket's customer in its thread); it is the only mention a message makes. */
export function slackMessage(message: Message, options: { mention?: string } = {}): { text: string; blocks: SlackBlocks } {
  const text = `${options.mention ? `<@${options.mention}> ` : ''}${message.from ? `*${escape(message.from.name)}*: ` : ''}${mrkdwn(message.text)}`;
  const blocks = sections(text);
  const elements = [
    ...(message.buttons ?? []).map((button) => ({
      type: 'button' as const,
      action_id: button.action,
      text: plain(button.label, 75),
      ...(button.style === 'primary' || button.style === 'success' ? { style: 'primary' as const } : button.style === 'danger' ? { style: 'danger' as const } : {}),
    })),
    ...(message.links ?? []).map((link, index) => ({ type: 'button' as const, action_id: `${LINK_ACTION_PREFIX}${index}`, text: plain(link.label, 75), url: link.url })),
  ];
  for (let index = 0; index < elements.length; index += ELEMENTS_MAX) blocks.push({ type: 'actions', elements: elements.slice(index, index + ELEMENTS_MAX) });
  if (message.choices) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'static_select',
          action_id: message.choices.action,
          placeholder: plain(message.choices.placeholder, 150),
          options: message.choices.options.slice(0, 100).map((option) => ({
            value: option.value,
            text: plain(option.label, 75),
            ...(option.description ? { description: plain(option.description, 75) } : {}),
          })),
        },
      ],
    });
  }
  if (message.search) {
    blocks.push({ type: 'actions', elements: [{ type: 'external_select', action_id: message.search.action, placeholder: plain(message.search.placeholder, 150), min_query_length: 1 }] });
  }
  // The notification text (and what screen readers and old clients show) is the plain text.
  return { text: cut(`${options.mention ? `<@${options.mention}> ` : ''}${message.from ? `${escape(message.from.name)}: ` : ''}${escape(message.text)}`, 3000), blocks };
}

/** A form as a modal; `metadata` (up to 3000 characters) comes back with its submission. */
export function slackModal(form: Form, metadata: string): View {
  return {
    type: 'modal',
    callback_id: form.action,
    title: plain(form.title, 24),
    submit: plain('Send', 24),
    close: plain('Cancel', 24),
    private_metadata: metadata,
    blocks: form.fields.map((field) => ({
      type: 'input',
      block_id: field.id,
      optional: !field.required,
      label: plain(field.label, 2000),
      element: {
        type: 'plain_text_input',
        action_id: field.id,
        multiline: field.style === 'paragraph',
        max_length: Math.min(field.maxLength, 3000),
        ...(field.placeholder ? { placeholder: plain(field.placeholder, 150) } : {}),
        ...(field.value ? { initial_value: field.value } : {}),
      },
    })),
  };
}

/** Repositories for an external select's options request (block_suggestion). */
export const slackOptions = (choices: { name: string; value: string }[]) => ({ options: choices.slice(0, 100).map((choice) => ({ text: plain(choice.name, 75), value: choice.value })) });
