import type { Logger } from 'pino';
import type { ChannelPort, Message } from '../../modules/assistant/assistant.types.ts';
import type { GitHubApp } from './client.ts';

/** GitHub's limit on a comment body. */
const COMMENT_MAX = 65_536;

/** The issue a GitHub conversation lives on: its thread id is `owner/name#number`. */
export const issueThread = (fullName: string, issueNumber: number) => `${fullName}#${issueNumber}`;

export function parseIssueThread(thread: string | null): { fullName: string; issueNumber: number } | null {
  const match = /^([\w.-]+\/[\w.-]+)#(\d{1,10})$/.exec(thread ?? '');
  return match ? { fullName: match[1], issueNumber: Number(match[2]) } : null;
}

/**
 * A message as an issue comment. Comments are public and have no buttons: actions are taken on the
 * ticket page, which every comment with actions links to.
 */
export function githubComment(message: Message, ticketLink: string | null): string {
  const lines = [message.from ? `**${message.from.name}**: ${message.text}` : message.text];
  if (message.links?.length) lines.push('', ...message.links.map((link) => `[${link.label}](${link.url})`));
  else if ((message.buttons?.length || message.choices) && ticketLink) lines.push('', `[Open the ticket on Backline](${ticketLink})`);
  const body = lines.join('\n');
  return body.length > COMMENT_MAX ? `${body.slice(0, COMMENT_MAX - 1)}…` : body;
}

/**
 * Where the engine's pushes go on GitHub: a comment on the conversation's issue, as the app's
 * installation. Private messages (payment links, codes) are never posted: comments are public.
 */
export function githubPort(app: GitHubApp, ticketLink: (ticketId: string) => string, logger: Logger): ChannelPort {
  return {
    async deliver(conversation, audience, messages) {
      const issue = parseIssueThread(conversation.threadId);
      if (audience === 'person' || !issue) {
        logger.info({ conversationId: conversation.id, audience }, 'github: private message not posted (issue comments are public)');
        return {};
      }
      const link = conversation.ticketId ? ticketLink(conversation.ticketId) : null;
      for (const message of messages) {
        if (message.ephemeral) continue;
        await app.comment(conversation.workspace, issue.fullName, issue.issueNumber, githubComment(message, link));
      }
      return { threadId: conversation.threadId ?? undefined };
    },
  };
}
