import type { ChatProvider, ConversationChannel } from '../../db/types.ts';

/**
 * The engine's vocabulary, the same for every channel: adapters turn platform events into an `Input`
 * with its `Place`, and render the `Message`s the engine answers in their own format (Discord
 * components, Slack Block Kit, the web chat's JSON).
 */

/** Where an input came from and who sent it. */
export type Place = {
  channel: ConversationChannel;
  /** Discord guild or Slack workspace (team) id; '' where the channel has none. */
  workspace: string;
  channelId: string;
  threadId: string | null;
  user: { id: string; name: string };
};

export type Input =
  /** A slash command: /support, /ticket, and the helper commands (claim, quote, log-time, resolve). */
  | { kind: 'command'; id: string; name: string; options: Record<string, string> }
  /** A plain message typed into the conversation. */
  | { kind: 'text'; id: string; text: string }
  /** A button pressed: `action` is the id the engine gave the button. */
  | { kind: 'button'; id: string; action: string }
  /** An option picked from a list the engine offered. */
  | { kind: 'choice'; id: string; action: string; value: string }
  /** A form (modal) submitted: `action` is the form's id, `fields` its values by field id. */
  | { kind: 'form'; id: string; action: string; fields: Record<string, string> };

export type ButtonStyle = 'primary' | 'secondary' | 'success' | 'danger';
export type Button = { action: string; label: string; style?: ButtonStyle };
export type Link = { label: string; url: string };
export type ChoiceList = { action: string; placeholder: string; options: { value: string; label: string; description?: string }[] };
export type FormField = { id: string; label: string; style: 'short' | 'paragraph'; required: boolean; maxLength: number; placeholder?: string; value?: string };
export type Form = { action: string; title: string; fields: FormField[] };

/**
 * What the engine says. A message with a `form` asks the channel to open that form (a Discord modal,
 * a Slack modal); its text is what channels without forms show instead. `ephemeral` messages are for
 * the person who acted only.
 */
export type Message = {
  text: string;
  ephemeral: boolean;
  buttons?: Button[];
  links?: Link[];
  choices?: ChoiceList;
  /**
   * A list of repositories searched as the person types (Slack's external select, its options loaded
   * from `suggestRepos`); picking one is a `choice` for `action`. Channels without such a list rely on
   * the text, which asks for the name.
   */
  search?: { action: string; placeholder: string };
  form?: Form;
};

/** Where pushed messages go: the ticket's public thread, or privately to the person. */
export type Audience = 'ticket' | 'person';

/** A channel's outbound half, registered by its adapter (see assistant.delivery.ts). */
export type ChannelPort = {
  /**
   * Posts messages to the conversation's place: 'ticket' to the ticket's thread (created on first use,
   * its id returned so the conversation keeps it), 'person' privately to the conversation's person.
   */
  deliver(conversation: ConversationRef, audience: Audience, messages: Message[]): Promise<{ threadId?: string }>;
};

export type ConversationRef = {
  id: string;
  channel: ConversationChannel;
  workspace: string;
  channelId: string;
  threadId: string | null;
  externalUser: string;
  ticketId: string | null;
  /** The ticket's title, for naming its thread. */
  title: string | null;
};

export type IdentityProvider = ChatProvider;

/** Inputs the engine needs more than a moment for (AI answers, tickets, payments): channels defer them. */
export type Outcome = { messages: Message[] };
