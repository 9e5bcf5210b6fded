import type { KeyObject } from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Deps } from '../../deps.ts';
import { AppError, badRequest } from '../../errors.ts';
import { enqueue, type JobHandlers } from '../../jobs/queue.ts';
import { mergeMessages } from '../../modules/assistant/assistant.messages.ts';
import type { AssistantService } from '../../modules/assistant/assistant.service.ts';
import type { Message } from '../../modules/assistant/assistant.types.ts';
import { createDiscordClient, InteractionResponseType, MessageFlags, type DiscordClient } from './client.ts';
import { parseInteraction } from './interactions.ts';
import { discordPort } from './port.ts';
import { discordMessage, discordModal } from './render.ts';
import { discordPublicKey, verifyDiscordRequest } from './verify.ts';

export const INTERACTION_JOB = 'discord.interaction';
export const FOLLOW_UP_JOB = 'discord.follow-up';

type FollowUp = { applicationId: string; token: string; message: Message };

/** The REST client the configuration describes (the bot token, and DISCORD_API_URL for a local fake). */
export function discordClientFromConfig(config: Config): DiscordClient {
  return createDiscordClient({ token: config.DISCORD_BOT_TOKEN, api: config.DISCORD_API_URL });
}

/**
 * The Discord adapter (docs/assistant.md): HTTP interactions in, the engine's messages out. Every
 * interaction is verified on its raw bytes, then answered within Discord's 3 seconds: quick steps in
 * place (a modal must open so), slow ones deferred (an ephemeral "thinking…") and followed up by a
 * durable job through the interaction webhook. Null when DISCORD_PUBLIC_KEY is unset: the integration is off.
 */
export function createDiscordIntegration(deps: Deps, assistant: AssistantService, client: DiscordClient = discordClientFromConfig(deps.config)) {
  const { config, db, clock } = deps;
  if (!config.DISCORD_PUBLIC_KEY) return null;
  const key: KeyObject = discordPublicKey(config.DISCORD_PUBLIC_KEY);
  assistant.registerChannel('discord', discordPort(client, config.DISCORD_SUPPORT_CHANNEL_ID));

  /** One interaction response for the engine's replies: a modal when they open a form, else one private message. */
  function respond(messages: Message[]) {
    const message = mergeMessages(messages);
    if (message.form) return { type: InteractionResponseType.Modal, data: discordModal(message.form) };
    return { type: InteractionResponseType.ChannelMessageWithSource, data: discordMessage(message) };
  }

  const replayed = () => new AppError(409, 'interaction_replayed', 'This interaction was received before; it is handled once.');

  return {
    /** Verifies, stores and answers one interaction; the returned object is the HTTP response body. */
    async receive(raw: Buffer, headers: Record<string, unknown>): Promise<object> {
      verifyDiscordRequest(key, raw, headers, clock.now());
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw badRequest('The body is not JSON.');
      }
      const interaction = parseInteraction(body);
      if (interaction.kind === 'ping') return { type: InteractionResponseType.Pong };
      // Autocomplete changes nothing and comes with every keystroke: answered, never stored.
      if (interaction.kind === 'autocomplete') {
        return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: await assistant.suggestRepos(interaction.typed) } };
      }
      const event = { provider: 'discord' as const, externalId: interaction.id, type: interaction.input.kind, payload: body };
      if (assistant.isSlow(interaction.input)) {
        if (!(await assistant.inbox.recordForJob(event, INTERACTION_JOB, { maxAttempts: 3 }))) throw replayed();
        return { type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: MessageFlags.Ephemeral } };
      }
      if (!(await assistant.inbox.record(db, { ...event, handled: true }))) throw replayed();
      return respond(await assistant.handle(interaction.place, interaction.input));
    },

    jobHandlers: {
      /** The engine's answer to a deferred interaction, then its delivery as a job of its own, so a retry never acts twice. */
      [INTERACTION_JOB]: async ({ eventId }: { eventId: string }) => {
        const event = await assistant.inbox.find(eventId);
        if (!event || event.handled_at) return;
        const interaction = parseInteraction(event.payload);
        if (interaction.kind !== 'input') return;
        const messages = await assistant.handle(interaction.place, interaction.input);
        await db.transaction().execute(async (trx) => {
          if (!(await assistant.inbox.markHandled(trx, eventId))) return;
          const followUp: FollowUp = { applicationId: interaction.applicationId, token: interaction.token, message: mergeMessages(messages) };
          await enqueue(trx, clock, FOLLOW_UP_JOB, followUp, { maxAttempts: 5 });
        });
      },
      /** The interaction token works for 15 minutes; the client waits out rate limits within that. */
      [FOLLOW_UP_JOB]: async ({ applicationId, token, message }: FollowUp) => {
        await client.editOriginal(applicationId, token, discordMessage({ ...message, form: undefined }));
      },
    } satisfies JobHandlers,
  };
}

export type DiscordIntegration = NonNullable<ReturnType<typeof createDiscordIntegration>>;
