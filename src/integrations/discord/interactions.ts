import { badRequest } from '../../errors.ts';
import type { Input, Place } from '../../modules/assistant/assistant.types.ts';
import { ComponentType, InteractionType } from './client.ts';

/**
 * A signed interaction read into the engine's terms. Only the fields used are read, each checked, so a
 * body that verifies but is not an interaction we understand is a 400 and never reaches the engine.
 */
export type ParsedInteraction =
  | { kind: 'ping' }
  | { kind: 'autocomplete'; id: string; typed: string }
  | { kind: 'input'; id: string; token: string; applicationId: string; place: Place; input: Input };

type Loose = Record<string, any>;
const SNOWFLAKE = /^\d{1,20}$/;

const malformed = (what: string) => badRequest(`This is not an interaction Backline understands: ${what}.`);
const str = (value: unknown, max: number): value is string => typeof value === 'string' && value.length > 0 && value.length <= max;

function optionsOf(data: Loose): Record<string, string> {
  const options: Record<string, string> = {};
  for (const option of Array.isArray(data.options) ? (data.options as Loose[]) : []) {
    if (str(option?.name, 32) && (typeof option.value === 'string' || typeof option.value === 'number')) options[option.name] = String(option.value).slice(0, 6000);
  }
  return options;
}

function fieldsOf(data: Loose): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const row of Array.isArray(data.components) ? (data.components as Loose[]) : []) {
    for (const input of Array.isArray(row?.components) ? (row.components as Loose[]) : []) {
      if (str(input?.custom_id, 100) && typeof input.value === 'string') fields[input.custom_id] = input.value;
    }
  }
  return fields;
}

function placeOf(body: Loose): Place {
  const user = (body.member?.user ?? body.user) as Loose | undefined;
  const channelId = body.channel_id ?? body.channel?.id;
  if (!user || !SNOWFLAKE.test(String(user.id)) || !SNOWFLAKE.test(String(channelId))) throw malformed('no user or channel');
  const name = [body.member?.nick, user.global_name, user.username].find((candidate) => str(candidate, 100)) ?? 'Discord user';
  return { channel: 'discord', workspace: str(body.guild_id, 20) ? body.guild_id : '', channelId: String(channelId), threadId: null, user: { id: String(user.id), name } };
}

export function parseInteraction(body: unknown): ParsedInteraction {
  if (!body || typeof body !== 'object') throw malformed('the body is not a JSON object');
  const interaction = body as Loose;
  if (interaction.type === InteractionType.Ping) return { kind: 'ping' };
  if (!SNOWFLAKE.test(String(interaction.id)) || !str(interaction.token, 500) || !SNOWFLAKE.test(String(interaction.application_id))) throw malformed('no id, token or application');
  const data = (interaction.data ?? {}) as Loose;
  const id = String(interaction.id);
  if (interaction.type === InteractionType.ApplicationCommandAutocomplete) {
    const focused = (Array.isArray(data.options) ? (data.options as Loose[]) : []).find((option) => option?.focused);
    return { kind: 'autocomplete', id, typed: typeof focused?.value === 'string' ? focused.value : '' };
  }
  let input: Input;
  if (interaction.type === InteractionType.ApplicationCommand && str(data.name, 32)) {
    input = { kind: 'command', id, name: data.name, options: optionsOf(data) };
  } else if (interaction.type === InteractionType.MessageComponent && str(data.custom_id, 100)) {
    input =
      data.component_type === ComponentType.StringSelect && Array.isArray(data.values) && str(data.values[0], 100)
        ? { kind: 'choice', id, action: data.custom_id, value: data.values[0] }
        : { kind: 'button', id, action: data.custom_id };
  } else if (interaction.type === InteractionType.ModalSubmit && str(data.custom_id, 100)) {
    input = { kind: 'form', id, action: data.custom_id, fields: fieldsOf(data) };
  } else {
    throw malformed(`type ${String(interaction.type).slice(0, 10)} without the data it needs`);
  }
  return { kind: 'input', id, token: interaction.token, applicationId: String(interaction.application_id), place: placeOf(interaction), input };
}
