import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import {
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageType,
  type GatewayDispatchPayload,
  ButtonStyle,
  ChannelType,
  ComponentType,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  Routes,
  TextInputStyle,
  type APIChannel,
  type APIInteraction,
  type APIInteractionResponse,
  type APIMessage,
  type RESTPostAPIApplicationCommandsJSONBody,
  type RESTPostAPIChannelMessageJSONBody,
  type RESTPostAPIWebhookWithTokenJSONBody,
} from 'discord-api-types/v10';

/**
 * Discord's REST API through @discordjs/rest, which keeps Discord's per-route rate-limit buckets from the
 * X-RateLimit-* headers and waits out a 429's retry_after before retrying. Only this file imports the
 * SDK; the rest of the integration uses the client returned here and the wire types re-exported below.
 */
export { ButtonStyle, ChannelType, ComponentType, GatewayDispatchEvents, InteractionResponseType, InteractionType, MessageFlags, MessageType, TextInputStyle };
export type { GatewayDispatchPayload };
export type { APIInteraction, APIInteractionResponse, RESTPostAPIApplicationCommandsJSONBody };
export type DiscordMessageBody = RESTPostAPIChannelMessageJSONBody & RESTPostAPIWebhookWithTokenJSONBody;

export type DiscordClientOptions = {
  /** Bot token; interaction webhooks (follow-ups) need none, channel and thread calls do. */
  token?: string;
  /** Base URL of the API: Discord's by default, a local fake in tests. */
  api?: string;
  timeoutMs?: number;
};

export function createDiscordClient(options: DiscordClientOptions) {
  const rest = new REST({ version: '10', api: options.api ?? 'https://discord.com/api', timeout: options.timeoutMs ?? 15_000, retries: 2 });
  if (options.token) rest.setToken(options.token);
  // Follow-ups authenticate with the interaction token in the path; sending the bot token there is not needed.
  const asWebhook = { auth: false } as const;

  return {
    channel: (channelId: string) => rest.get(Routes.channel(channelId)) as Promise<APIChannel>,

    /** A thread in a text channel (no starter message) or a post in a forum channel (with it). */
    startThread: (channelId: string, body: { name: string; type?: ChannelType.PublicThread; message?: DiscordMessageBody; auto_archive_duration?: number }) =>
      rest.post(Routes.threads(channelId), { body }) as Promise<APIChannel>,

    postMessage: (channelId: string, body: DiscordMessageBody) => rest.post(Routes.channelMessages(channelId), { body }) as Promise<APIMessage>,

    /** The private channel with a user, for messages meant for them alone. */
    openDm: (userId: string) => rest.post(Routes.userChannels(), { body: { recipient_id: userId } }) as Promise<APIChannel>,

    editOriginal: (applicationId: string, token: string, body: DiscordMessageBody) =>
      rest.patch(Routes.webhookMessage(applicationId, token, '@original'), { body, ...asWebhook }) as Promise<APIMessage>,

    followUp: (applicationId: string, token: string, body: DiscordMessageBody) => rest.post(Routes.webhook(applicationId, token), { body, ...asWebhook }) as Promise<APIMessage>,

    /** Replaces the application's global commands with this list (PUT is a bulk overwrite). */
    registerCommands: (applicationId: string, commands: RESTPostAPIApplicationCommandsJSONBody[]) =>
      rest.put(Routes.applicationCommands(applicationId), { body: commands }) as Promise<unknown[]>,
  };
}

export type DiscordClient = ReturnType<typeof createDiscordClient>;

/**
 * A connection to Discord's gateway through @discordjs/ws (heartbeats, identify, resume and reconnects
 * are its business), asking for guild messages with their content: MESSAGE_CONTENT is a privileged
 * intent, switched on under Bot in the Developer Portal. Every dispatch is handed to `onDispatch`.
 */
export async function connectDiscordGateway(options: { token: string; api?: string }, onDispatch: (payload: GatewayDispatchPayload) => Promise<void>, onError: (error: unknown) => void) {
  const rest = new REST({ version: '10', api: options.api ?? 'https://discord.com/api' }).setToken(options.token);
  const manager = new WebSocketManager({ token: options.token, rest, intents: GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent });
  manager.on(WebSocketShardEvents.Dispatch, (payload) => void onDispatch(payload).catch(onError));
  manager.on(WebSocketShardEvents.Error, (error) => onError(error));
  await manager.connect();
  return {
    stop: async () => {
      await manager.destroy();
    },
  };
}
