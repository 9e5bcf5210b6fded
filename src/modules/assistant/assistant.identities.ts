import { createHash, randomInt } from 'node:crypto';
import type { ChatProvider } from '../../db/types.ts';
import type { Deps } from '../../deps.ts';
import { MINUTE } from '../../lib/clock.ts';
import { safeEqual } from '../../lib/secrets.ts';
import type { UserActor } from '../auth/actor.ts';
import { isPlaceholderAddress, queueEmail } from '../mail/mail.service.ts';
import { changeEmail, findOrCreateUser, findUserByEmail, findUserByGithubLogin, findUserById } from '../users/users.repository.ts';
import { refuse } from './assistant.messages.ts';
import * as store from './assistant.repository.ts';
import type { Place } from './assistant.types.ts';

/** How long an emailed code works, how often it may be guessed, and how many codes one conversation may send. */
const CODE_TTL_MS = 15 * MINUTE;
const CODE_ATTEMPTS = 5;
const CODES_PER_CONVERSATION = 3;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@.]{2,}$/;

/** A pending check of an email address, kept in the conversation's data. */
export type PendingVerification = { email: string; codeHash: string; expiresAt: string; attempts: number; sent: number };

export type ChatUser = { actor: UserActor; verified: boolean; provider: ChatProvider | 'web'; name: string };

/** Discord and GitHub user ids are global; Slack's are unique per workspace, so the workspace is part of the key. */
const workspaceKey = (provider: ChatProvider, place: Place) => (provider === 'slack' ? place.workspace : '');

/**
 * Where a chat account's link to its user is kept: external_identities for chat providers, web_visitors
 * for browsers of the web chat (whose visitor id is issued by Backline, in the conversation token).
 */
type Link = { userId: string; verified: boolean };
type LinkStore = { find(): Promise<Link | undefined>; create(userId: string, now: Date): Promise<void>; verify(userId: string, now: Date): Promise<void>; placeholder: string };

function linkStore(db: Deps['db'], place: Place): LinkStore {
  if (place.channel === 'web') {
    const id = place.user.id;
    return {
      find: async () => store.findVisitor(db, id).then((row) => row && { userId: row.user_id, verified: row.email_verified_at !== null }),
      create: (userId, now) => store.insertVisitor(db, { id, user_id: userId, display_name: place.user.name.slice(0, 100) || 'Visitor', email_verified_at: null, created_at: now, updated_at: now }),
      verify: (userId, now) => store.updateVisitor(db, id, { user_id: userId, email_verified_at: now, updated_at: now }),
      placeholder: `web.${id}`,
    };
  }
  const provider = place.channel;
  const key = { provider, workspace: workspaceKey(provider, place), externalUser: place.user.id };
  return {
    find: async () => store.findIdentity(db, provider, key.workspace, key.externalUser).then((row) => row && { userId: row.user_id, verified: row.email_verified_at !== null }),
    create: (userId, now) => store.insertIdentity(db, { provider, workspace: key.workspace, external_user: key.externalUser, user_id: userId, display_name: place.user.name.slice(0, 100), email_verified_at: null, created_at: now, updated_at: now }),
    verify: (userId, now) => store.updateIdentity(db, key, { user_id: userId, email_verified_at: now, updated_at: now }),
    placeholder: [provider, key.workspace, key.externalUser].filter(Boolean).join('.'),
  };
}

const hashCode = (conversationId: string, code: string) => createHash('sha256').update(`${conversationId}:${code}`).digest('hex');

/**
 * Chat accounts acting as Backline users. A first contact creates a user with a placeholder address
 * (nothing is mailed to it); proving an email with a code sent to it links the chat account to the
 * Backline user with that email, or gives the placeholder user that email. Without the proof, anyone
 * could type someone else's address and act as them.
 */
export function chatIdentities(deps: Deps) {
  const { db, clock } = deps;

  async function userOf(place: Place): Promise<ChatUser> {
    const links = linkStore(db, place);
    let link = await links.find();
    if (!link) {
      const now = clock.now();
      // A GitHub user is who GitHub's signed event says; a Backline account with that GitHub login (set
      // by an operator) is theirs, and needs no email proof.
      const owner = place.channel === 'github' ? await findUserByGithubLogin(db, place.user.name) : undefined;
      if (owner) {
        await links.create(owner.id, now);
        await links.verify(owner.id, now);
        return userOf(place);
      }
      const local = links.placeholder.toLowerCase().replace(/[^a-z0-9.]/g, '-');
      const user = await findOrCreateUser(db, now, { email: `${local}@users.chat.invalid`, displayName: place.user.name.slice(0, 100) || 'Chat user' });
      await links.create(user.id, now);
      link = (await links.find())!;
    }
    const user = (await findUserById(db, link.userId))!;
    return {
      actor: { kind: 'user', userId: user.id, email: user.email, isOperator: user.is_operator, via: 'chat' },
      verified: link.verified,
      provider: place.channel,
      name: place.user.name,
    };
  }

  return {
    userOf,

    /** Mails a six-digit code to `email`; returns what the conversation keeps to check it. */
    async sendCode(conversationId: string, rawEmail: string, sentBefore: number): Promise<PendingVerification> {
      const email = rawEmail.trim();
      if (!EMAIL.test(email) || email.length > 254) refuse('That does not look like an email address; try again with one like name@example.com.');
      if (isPlaceholderAddress(email)) refuse('That address cannot receive mail; give one you can read.');
      const sent = sentBefore + 1;
      if (sent > CODES_PER_CONVERSATION) refuse('I sent as many codes as I may in one conversation; run /support again to start over.');
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const now = clock.now();
      await queueEmail(db, clock, {
        to: email,
        subject: `Your Backline code: ${code}`,
        text: `Enter this code in the chat to confirm your email address:\n\n${code}\n\nIt works for 15 minutes. If you did not ask for it, ignore this email.`,
        dedupeKey: `chat-code:${conversationId}:${sent}`,
      });
      return { email, codeHash: hashCode(conversationId, code), expiresAt: new Date(now.getTime() + CODE_TTL_MS).toISOString(), attempts: 0, sent };
    },

    /**
     * Checks a code. Right: the chat account becomes (or joins) the user with that email. Wrong: the
     * attempt counts, and the returned pending check carries it; too many or too late ends it.
     */
    async checkCode(place: Place, conversationId: string, pending: PendingVerification, code: string): Promise<{ ok: true; userId: string } | { ok: false; pending: PendingVerification | undefined; reason: string }> {
      const now = clock.now();
      if (now.getTime() > Date.parse(pending.expiresAt)) return { ok: false, pending: undefined, reason: 'That code expired; ask for a new one.' };
      if (!safeEqual(hashCode(conversationId, code.trim()), pending.codeHash)) {
        const attempts = pending.attempts + 1;
        if (attempts >= CODE_ATTEMPTS) return { ok: false, pending: undefined, reason: 'That code is wrong, and that was the last try; ask for a new one.' };
        return { ok: false, pending: { ...pending, attempts }, reason: `That code is wrong; ${CODE_ATTEMPTS - attempts} tries left.` };
      }
      const links = linkStore(db, place);
      const link = (await links.find())!;
      const owner = await findUserByEmail(db, pending.email);
      let userId = link.userId;
      if (owner && owner.id !== link.userId) userId = owner.id;
      else if (!owner && !(await changeEmail(db, link.userId, pending.email, now).catch(() => false))) {
        return { ok: false, pending: undefined, reason: 'That address was just taken by another account; try again.' };
      }
      await links.verify(userId, now);
      return { ok: true, userId };
    },
  };
}

export type ChatIdentities = ReturnType<typeof chatIdentities>;
