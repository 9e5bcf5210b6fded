import { forbidden } from '../../errors.ts';
import type { Standing, TicketRow, Viewer } from './tickets.repository.ts';

/** How the viewer stands to one ticket they can see. */
export type Relation = {
  /** The requester, or an admin of the organization the ticket was opened for. */
  customer: boolean;
  /** A maintainer of the ticket's repository, or an operator. */
  maintainer: boolean;
  /** An approved helper of the ticket's repository. */
  helper: boolean;
  assignee: boolean;
  /** Sees internal notes: maintainers, approved helpers, the assignee and operators; never the customer as such. */
  staff: boolean;
};

export function relationOf(viewer: Pick<Viewer, 'userId' | 'isOperator'>, ticket: TicketRow & Standing): Relation {
  const maintainer = viewer.isOperator || ticket.viewer_maintains;
  const helper = ticket.viewer_helps;
  const assignee = ticket.assignee_id === viewer.userId;
  const customer = ticket.requester_id === viewer.userId || ticket.viewer_org_admin;
  return { customer, maintainer, helper, assignee, staff: maintainer || helper || assignee };
}

type Rule = { allowed: (relation: Relation, ticket: TicketRow) => boolean; refusal: string };

/** Who may do what to a ticket they can see. Seeing it at all is `visibleTo` in the repository. */
const RULES = {
  claim: { allowed: (r) => r.helper, refusal: 'Only approved helpers of the repository may claim its tickets.' },
  release: { allowed: (r) => r.assignee || r.maintainer, refusal: 'Only the assignee or a maintainer of the repository may release this ticket.' },
  assign: { allowed: (r) => r.maintainer, refusal: 'Only maintainers of the repository may assign its tickets.' },
  setStatus: { allowed: (r) => r.assignee, refusal: 'Only the helper assigned to this ticket may change its working status.' },
  resolve: {
    // Nobody is assigned to community and AI tickets: the customer says when the answer was enough.
    allowed: (r, ticket) => r.maintainer || (ticket.track === 'expert' ? r.assignee : r.customer),
    refusal: 'Only the assignee or a maintainer may resolve an expert ticket; the requester or a maintainer resolves a community or AI ticket.',
  },
  customer: { allowed: (r) => r.customer, refusal: 'Only the person who opened this ticket, or an admin of its organization, may do this.' },
  reply: {
    allowed: (r, ticket) => r.customer || r.assignee || r.maintainer || ticket.track === 'community',
    refusal: 'Claim the ticket to answer the customer; meanwhile approved helpers may add internal notes.',
  },
  note: { allowed: (r) => r.staff, refusal: "Internal notes are for the repository's maintainers, approved helpers and operators." },
} satisfies Record<string, Rule>;

export type Permission = keyof typeof RULES;

export function authorize(permission: Permission, relation: Relation, ticket: TicketRow): void {
  const rule: Rule = RULES[permission];
  if (!rule.allowed(relation, ticket)) throw forbidden(rule.refusal);
}
