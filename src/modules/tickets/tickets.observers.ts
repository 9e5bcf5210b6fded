import type { Queryable, Tx } from '../../db/database.ts';
import type { TicketStatus } from '../../db/types.ts';
import type { JobRow } from '../../jobs/queue.ts';
import type { CteInsert, MessageView, TicketRow, TicketRowView, TicketView } from './tickets.repository.ts';
import type { TicketAction } from './tickets.state.ts';

/** A change to a ticket, as other domains (SLA clocks) see it. A new ticket is not one: see CreationContributor. */
export type TicketChange =
  | { type: 'moved'; action: TicketAction; from: TicketStatus; ticket: TicketView }
  /** `message.channel` is where the message was written, so a chat channel does not echo its own messages back. */
  | { type: 'message'; ticket: TicketView; internal: boolean; byCustomer: boolean; message: MessageView };

/**
 * Called inside the transaction of the change, so that what an observer writes commits with it or not
 * at all. It must use `trx`, never the database handle (PGlite has one connection: that would wait on
 * itself), and anything it throws undoes the change.
 */
export type TicketObserver = (trx: Tx, change: TicketChange) => Promise<void>;

/** The ticket about to be opened, as the domains that add to its creation see it. */
export type TicketDraft = Pick<TicketRow, 'id' | 'repo_id' | 'requester_id' | 'org_id' | 'track' | 'priority' | 'created_at'>;

/**
 * What another domain adds to the one statement that opens a ticket: jobs, and inserts that ride along
 * in it as data-modifying CTEs (they commit with the ticket or not at all, and may refer to it: foreign
 * keys are checked at the end of the statement), and the columns it shows on the ticket (its SLA clock),
 * so that the statement's RETURNING is the whole answer and nothing is read back after it. Jobs are rows
 * rather than inserts: every job of a batch of tickets goes in with one insert.
 */
export type CreationPart = { inserts: CteInsert[]; jobs?: JobRow[]; shows?: Partial<TicketRowView> };

/**
 * Prepares a CreationPart before the ticket's statement, outside any transaction: it may read with
 * `db`, but writes only through its inserts. Reads here see the database a moment before the insert;
 * anything that must be decided at the insert's instant belongs in the inserts' SQL.
 */
export type CreationContributor = (db: Queryable, draft: TicketDraft) => Promise<CreationPart | null>;

export function ticketObservers() {
  const observers: TicketObserver[] = [];
  const contributors: CreationContributor[] = [];
  return {
    add(observer: TicketObserver) {
      observers.push(observer);
    },
    addContributor(contributor: CreationContributor) {
      contributors.push(contributor);
    },
    async notify(trx: Tx, change: TicketChange) {
      for (const observer of observers) await observer(trx, change);
    },
    /** Every domain's part of a new ticket's statement, in the order they registered. */
    async prepareCreation(db: Queryable, draft: TicketDraft): Promise<CreationPart[]> {
      const parts: CreationPart[] = [];
      for (const contributor of contributors) {
        const part = await contributor(db, draft);
        if (part) parts.push(part);
      }
      return parts;
    },
  };
}
