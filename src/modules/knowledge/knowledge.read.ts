import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { badRequest, conflict } from '../../errors.ts';
import { safeFetch } from '../../lib/safe-fetch.ts';
import type { TicketView } from '../tickets/tickets.service.ts';
import { configOf } from './knowledge.presenter.ts';
import type { SourceRow } from './knowledge.repository.ts';
import { slugify } from './knowledge.text.ts';
import { readDocsFolder, type ReadResult, type SourceDocument } from './sources/files.ts';
import { cloneRepository } from './sources/git.ts';
import { scrubPersonalData } from './sources/pii.ts';

export type ReadEnv = {
  config: Config;
  /** The CLI and operators: may read server folders and file:// Git URLs. */
  trusted: boolean;
  allowAddresses?: readonly string[];
  consentedTickets: (repoId: string) => Promise<TicketView[]>;
  onFile?: (seen: number) => void;
};

export type SourceContent = ReadResult & { complete: boolean };

const limitsOf = (config: Config) => ({ maxFileBytes: config.KNOWLEDGE_MAX_FILE_BYTES, maxFiles: config.KNOWLEDGE_MAX_FILES });

/** Joins a base URL and a relative path: https://x/docs/ + guide/a.md. */
export function joinLink(baseUrl: string | null, relative: string): string {
  if (!baseUrl) return relative;
  return new URL(relative.split('/').map(encodeURIComponent).join('/'), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`).toString();
}

const withLinks = (result: ReadResult, baseUrl: string | null): ReadResult => ({
  ...result,
  documents: result.documents.map((document) => ({ ...document, link: joinLink(baseUrl, document.path) })),
});

async function readFolder(root: string, env: ReadEnv): Promise<ReadResult> {
  const stat = await fs.stat(root).catch(() => null);
  if (!stat?.isDirectory()) throw badRequest(`${root} is not a folder on the server.`, [{ path: 'path', message: 'not a folder' }]);
  return readDocsFolder(root, limitsOf(env.config), env.onFile);
}

/** The documents a source holds now, read from where it lives. */
export async function readSource(source: SourceRow, env: ReadEnv): Promise<SourceContent> {
  const config = configOf(source);
  switch (source.kind) {
    case 'path':
      return { ...withLinks(await readFolder(config.path!, env), source.base_url), complete: true };
    case 'git': {
      const clone = await cloneRepository(config.url!, {
        ref: config.ref,
        timeoutMs: env.config.KNOWLEDGE_GIT_TIMEOUT_SECONDS * 1000,
        allowFile: env.trusted,
        allowAddresses: env.allowAddresses,
      });
      try {
        const root = path.resolve(clone.dir, config.subdir ?? '.');
        if (!root.startsWith(clone.dir)) throw badRequest('The subdir must stay inside the repository.');
        return { ...withLinks(await readFolder(root, env), source.base_url), complete: true };
      } finally {
        await clone.cleanup();
      }
    }
    case 'url': {
      const page = await safeFetch(config.url!, {
        timeoutMs: env.config.KNOWLEDGE_FETCH_TIMEOUT_MS,
        maxBytes: env.config.KNOWLEDGE_MAX_FILE_BYTES,
        allowAddresses: env.allowAddresses,
      });
      const format = pageFormat(page.url, page.contentType);
      if (!format) throw badRequest(`${page.url} is ${page.contentType || 'of no declared type'}, not an HTML, Markdown or text page.`);
      const content = page.body.toString('utf8');
      return { documents: [{ path: config.url!, content, link: page.url, format }], skipped: [], complete: true };
    }
    case 'faq': {
      const link = source.base_url ?? 'faq';
      const documents = (config.entries ?? []).map((entry) => ({
        path: `faq/${slugify(entry.question)}`,
        content: `# ${source.name}\n\n## ${entry.question}\n\n${entry.answer}`,
        link,
        format: '.md',
      }));
      return { documents, skipped: [], complete: true };
    }
    case 'tickets':
      return { documents: (await env.consentedTickets(source.repo_id)).map(ticketDocument), skipped: [], complete: true };
    case 'archive':
      throw conflict('An archive source is ingested by uploading the archive again (PUT .../archive).', 'upload_required');
  }
}

function pageFormat(url: string, contentType: string): string | null {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'text/html' || type === 'application/xhtml+xml') return '.html';
  if (type === 'text/markdown' || type === 'text/x-markdown') return '.md';
  if (type === 'text/x-rst') return '.rst';
  if (type === 'text/plain') {
    const extension = path.extname(new URL(url).pathname).toLowerCase();
    return ['.md', '.markdown', '.mdx', '.rst'].includes(extension) ? extension : '.txt';
  }
  return null;
}

/** A resolved ticket as a document: the problem and its solution, personal data removed. */
function ticketDocument(ticket: TicketView): SourceDocument {
  const people = [
    { displayName: ticket.requester_name, email: ticket.requester_email },
    { displayName: ticket.assignee_name, email: ticket.assignee_email },
  ];
  const scrub = (text: string) => scrubPersonalData(text, people);
  return {
    path: `tickets/${ticket.id}`,
    content: `# Resolved tickets\n\n## ${scrub(ticket.title).replace(/\n/g, ' ')}\n\n${scrub(ticket.body)}\n\nSolution: ${scrub(ticket.resolution_summary ?? '')}`,
    link: `/tickets/${ticket.id}`,
    format: '.md',
  };
}
