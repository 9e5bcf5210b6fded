import type { ColumnType, Generated } from 'kysely';

/** Table types for Kysely, matching src/db/migrations. Columns with a database default are Generated. */

type Timestamp = Date;
type Json = ColumnType<unknown, string, string>;

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  github_login: string | null;
  /** GitHub's numeric user id (bigint, read as a string by the driver), set by signing in with GitHub. */
  github_id: Generated<string | null>;
  time_zone: Generated<string>;
  is_operator: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MagicLinksTable {
  id: string;
  email: string;
  token_hash: string;
  redirect_to: string | null;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  expires_at: Timestamp;
  rotated_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_prefix: string;
  token_hash: string;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

export interface OrgsTable {
  id: string;
  slug: string;
  name: string;
  legal_name: string | null;
  address_line1: string | null;
  address_line2: string | null;
  postal_code: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
  vat_id: string | null;
  po_number_default: string | null;
  billing_email: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type OrgRole = 'admin' | 'member';

export interface OrgMembersTable {
  org_id: string;
  user_id: string;
  role: OrgRole;
  created_at: Timestamp;
}

export interface OrgInvitationsTable {
  id: string;
  org_id: string;
  email: string;
  role: OrgRole;
  token_hash: string;
  invited_by: string;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

export type RepoStatus = 'pending' | 'verified' | 'rejected';

export interface ReposTable {
  id: string;
  owner: string;
  name: string;
  full_name: string;
  description: Generated<string>;
  topics: Generated<string[]>;
  language: string | null;
  homepage_url: string | null;
  docs_url: string | null;
  status: RepoStatus;
  verification_method: 'github' | 'operator' | null;
  verified_at: Timestamp | null;
  verified_by: string | null;
  offers_ai: Generated<boolean>;
  offers_community: Generated<boolean>;
  offers_expert: Generated<boolean>;
  currency: Generated<string>;
  commission_bps: number;
  show_helpers: Generated<boolean>;
  search_text: ColumnType<string, never, never>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type MaintainerRole = 'owner' | 'maintainer';

export interface RepoMaintainersTable {
  repo_id: string;
  user_id: string;
  role: MaintainerRole;
  created_at: Timestamp;
}

export interface OnboardingRequestsTable {
  id: string;
  full_name: string;
  requested_by: string | null;
  org_id: string | null;
  email: string | null;
  note: Generated<string>;
  created_at: Timestamp;
}

export type HelperStatus = 'applied' | 'invited' | 'approved' | 'rejected' | 'removed';

export interface RepoHelpersTable {
  repo_id: string;
  user_id: string;
  status: HelperStatus;
  pitch: Generated<string>;
  links: Generated<string[]>;
  invited_by: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type TicketTrack = 'ai' | 'community' | 'expert';
export type TicketPriority = 'urgent' | 'high' | 'normal' | 'low';
export type TicketChannel = 'web' | 'api' | 'discord' | 'slack' | 'github' | 'email';
export type TicketStatus = 'open' | 'claimed' | 'in_progress' | 'waiting_on_customer' | 'resolved' | 'closed' | 'cancelled';

export interface TicketsTable {
  id: string;
  repo_id: string;
  requester_id: string;
  org_id: string | null;
  title: string;
  body: string;
  body_html: string;
  track: TicketTrack;
  priority: TicketPriority;
  channel: TicketChannel;
  status: TicketStatus;
  assignee_id: string | null;
  claimed_at: Timestamp | null;
  first_response_at: Timestamp | null;
  resolved_at: Timestamp | null;
  resolution_summary: string | null;
  confirmed_at: Timestamp | null;
  closed_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  rating_score: number | null;
  rating_comment: string | null;
  rated_at: Timestamp | null;
  /** The offering chosen when the ticket was opened (payments: quotes must be in its currencies). */
  offering_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TicketMessagesTable {
  id: string;
  ticket_id: string;
  author_id: string;
  body: string;
  body_html: string;
  internal: Generated<boolean>;
  channel: Generated<string>;
  created_at: Timestamp;
}

export interface TicketEventsTable {
  id: string;
  ticket_id: string;
  actor_id: string | null;
  type: string;
  data: Json;
  created_at: Timestamp;
}

export interface EmailsTable {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  dedupe_key: string | null;
  status: 'queued' | 'sent' | 'failed';
  transport: string | null;
  sent_at: Timestamp | null;
  error: string | null;
  /** The signed reply address of a ticket notification (0016), or null. */
  reply_to: Generated<string | null>;
  created_at: Timestamp;
}

export interface JobsTable {
  id: string;
  queue: string;
  payload: Json;
  singleton_key: string | null;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: number;
  locked_by: string | null;
  locked_until: Timestamp | null;
  completed_at: Timestamp | null;
  failed_at: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
}

export type PaymentProviderName = 'sandbox' | 'stripe' | 'invoice';

/** Events pushed by payment providers, stored once per (provider, external_id); see src/modules/provider-events. */
export interface ProviderEventsTable {
  id: string;
  provider: PaymentProviderName;
  external_id: string;
  type: string;
  payload: Json;
  received_at: Timestamp;
  handled_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export type PayoutAccountStatus = 'pending' | 'active' | 'restricted';

/** A helper's or repository's account at a provider, into which their share is transferred. */
export interface PayoutAccountsTable {
  id: string;
  owner_type: 'helper' | 'repo';
  owner_id: string;
  provider: PaymentProviderName;
  provider_account_id: string;
  status: PayoutAccountStatus;
  created_at: Timestamp;
}

export type LedgerAccountKind = 'asset' | 'liability' | 'revenue' | 'expense';
export type LedgerOwnerType = 'helper' | 'repo' | 'customer' | 'platform' | 'processor';
export type LedgerTransactionKind = 'capture' | 'release' | 'refund' | 'dispute' | 'payout' | 'transfer' | 'reversal';

export interface LedgerAccountsTable {
  id: string;
  code: string;
  currency: string;
  kind: LedgerAccountKind;
  owner_type: LedgerOwnerType;
  owner_id: string | null;
  /** Debit-positive sum of the account's entries. */
  balance: Generated<number>;
  created_at: Timestamp;
}

export interface LedgerTransactionsTable {
  id: string;
  idempotency_key: string;
  kind: LedgerTransactionKind;
  reference_type: string;
  reference_id: string;
  reverses_transaction_id: string | null;
  memo: Generated<string>;
  currency: string;
  created_at: Timestamp;
}

export interface LedgerEntriesTable {
  id: string;
  transaction_id: string;
  account_id: string;
  /** Minor units, debit positive, credit negative. */
  amount: number;
  currency: string;
  reverses_entry_id: string | null;
  created_at: Timestamp;
}

export type OfferingKind = 'fixed' | 'session' | 'quote';

export interface OfferingsTable {
  id: string;
  repo_id: string;
  kind: OfferingKind;
  name: string;
  description: Generated<string>;
  currency: string;
  active: Generated<boolean>;
  sort_order: Generated<number>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Amounts in minor units of `currency`; which ones are set depends on `kind` (a CHECK enforces it). */
export interface OfferingPricesTable {
  offering_id: string;
  kind: 'fixed' | 'session';
  currency: string;
  price: number | null;
  initial_fee: number | null;
  per_minute_rate: number | null;
  minimum_minutes: number | null;
  rate_min: number | null;
  rate_max: number | null;
}

/** `rate` replaces the price (fixed) or the per-minute rate (session) for this helper and currency. */
export interface OfferingHelperRatesTable {
  offering_id: string;
  currency: string;
  helper_id: string;
  rate: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type QuoteStatus = 'pending' | 'accepted' | 'declined' | 'withdrawn';

/** A helper's price for the work on a ticket; see src/modules/payments and docs/payments.md. */
export interface QuotesTable {
  id: string;
  ticket_id: string;
  helper_id: string;
  amount: number;
  currency: string;
  description: string;
  estimated_minutes: number;
  status: QuoteStatus;
  expires_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PaymentKind = 'quote' | 'fixed' | 'session' | 'plan' | 'consulting';
export type PaymentStatus = 'pending' | 'authorized' | 'held' | 'released' | 'refunded' | 'disputed' | 'failed' | 'expired' | 'cancelled';

/** Money a customer pays for a ticket, held in escrow until the work is done. Amounts in minor units. */
export interface PaymentsTable {
  id: string;
  /** Null for a plan's payment (0013): it pays for a subscription period, not for work on a ticket. */
  ticket_id: string | null;
  repo_id: string;
  kind: PaymentKind;
  quote_id: string | null;
  offering_id: string | null;
  payer_id: string;
  helper_id: string | null;
  description: string;
  provider: PaymentProviderName;
  provider_payment_id: string | null;
  provider_charge_id: string | null;
  capture_method: 'automatic' | 'manual';
  status: PaymentStatus;
  currency: string;
  amount: number;
  captured_amount: Generated<number>;
  refunded_amount: Generated<number>;
  charged_back_amount: Generated<number>;
  processor_fee: Generated<number>;
  commission_bps: number;
  platform_fee_bps: number;
  session_initial_fee: number | null;
  session_per_minute_rate: number | null;
  session_minimum_minutes: number | null;
  estimated_minutes: number | null;
  url: string | null;
  failure_reason: string | null;
  held_at: Timestamp | null;
  release_due_at: Timestamp | null;
  released_at: Timestamp | null;
  split_helper: number | null;
  split_commission: number | null;
  split_platform_fee: number | null;
  split_processor_fee: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type PaymentPostingPurpose = 'capture' | 'release' | 'unrelease' | 'refund' | 'dispute' | 'dispute_won' | 'rerelease';

export interface PaymentPostingsTable {
  transaction_id: string;
  payment_id: string;
  purpose: PaymentPostingPurpose;
  amount: number;
  reversed: Generated<number>;
  source_id: string | null;
  created_at: Timestamp;
}

export interface PaymentRefundsTable {
  id: string;
  payment_id: string;
  amount: number;
  reason: Generated<string>;
  provider_refund_id: string;
  source: 'request' | 'dispute_resolution' | 'provider';
  requested_by: string | null;
  created_at: Timestamp;
}

export type DisputeStatus = 'open' | 'released' | 'refunded' | 'won' | 'lost';

export interface PaymentDisputesTable {
  id: string;
  payment_id: string;
  source: 'customer' | 'provider';
  provider_dispute_id: string | null;
  reason: Generated<string>;
  amount: number | null;
  status: DisputeStatus;
  opened_by: string | null;
  opened_at: Timestamp;
  closed_by: string | null;
  closed_at: Timestamp | null;
}

export interface TimeEntriesTable {
  id: string;
  ticket_id: string;
  helper_id: string;
  minutes: number;
  note: Generated<string>;
  payment_id: string | null;
  created_at: Timestamp;
}

/** The stored answer to a money request, per caller and Idempotency-Key. */
export interface IdempotencyKeysTable {
  actor_id: string;
  key: string;
  route: string;
  request_hash: string;
  response_status: number | null;
  response_body: ColumnType<unknown, string | null, string | null>;
  created_at: Timestamp;
}

export type InvoiceKind = 'invoice' | 'credit_note';
export type InvoiceStatus = 'issued' | 'paid' | 'void';
export type InvoiceLineKind = 'offering' | 'time' | 'fee' | 'plan' | 'consulting';

export interface TaxRatesTable {
  country: string;
  rate_bps: number;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface InvoiceCountersTable {
  issuer: string;
  series: string;
  last_number: number;
}

/** Invoices and credit notes; seller and buyer are snapshots taken at issue time. Amounts in minor units. */
export interface InvoicesTable {
  id: string;
  kind: InvoiceKind;
  issuer: string;
  series: string;
  sequence: number;
  number: string;
  credits_invoice_id: string | null;
  repo_id: string | null;
  payment_id: string | null;
  status: InvoiceStatus;
  currency: string;
  seller_legal_name: string;
  seller_address: string;
  seller_country: string;
  seller_vat_id: string | null;
  buyer_org_id: string | null;
  buyer_user_id: string | null;
  buyer_name: string;
  buyer_email: string | null;
  buyer_address: Generated<string>;
  buyer_country: string | null;
  buyer_vat_id: string | null;
  po_number: string | null;
  tax_country: string;
  tax_rate_bps: number;
  reverse_charge: boolean;
  /** Card payments: the lines are the prices charged, VAT included; `tax` is the VAT they include. */
  tax_inclusive: Generated<boolean>;
  subtotal: number;
  tax: number;
  total: number;
  note: Generated<string>;
  net_terms_days: number | null;
  issued_at: Timestamp;
  due_at: Timestamp | null;
  paid_at: Timestamp | null;
  payment_reference: string | null;
  voided_at: Timestamp | null;
  created_by: string | null;
}

export interface InvoiceLinesTable {
  id: string;
  invoice_id: string;
  position: number;
  kind: InvoiceLineKind;
  description: string;
  quantity: number;
  unit_price: number;
  amount: number;
  reference_type: string | null;
  reference_id: string | null;
  credits_line_id: string | null;
}

export interface DB {
  users: UsersTable;
  magic_links: MagicLinksTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  orgs: OrgsTable;
  org_members: OrgMembersTable;
  org_invitations: OrgInvitationsTable;
  repos: ReposTable;
  repo_maintainers: RepoMaintainersTable;
  onboarding_requests: OnboardingRequestsTable;
  repo_helpers: RepoHelpersTable;
  tickets: TicketsTable;
  ticket_messages: TicketMessagesTable;
  ticket_events: TicketEventsTable;
  emails: EmailsTable;
  jobs: JobsTable;
  provider_events: ProviderEventsTable;
  payout_accounts: PayoutAccountsTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  offerings: OfferingsTable;
  offering_prices: OfferingPricesTable;
  offering_helper_rates: OfferingHelperRatesTable;
  tax_rates: TaxRatesTable;
  invoice_counters: InvoiceCountersTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  quotes: QuotesTable;
  payments: PaymentsTable;
  payment_postings: PaymentPostingsTable;
  payment_refunds: PaymentRefundsTable;
  payment_disputes: PaymentDisputesTable;
  time_entries: TimeEntriesTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type KnowledgeSourceKind = 'path' | 'git' | 'archive' | 'url' | 'faq' | 'tickets';
export type KnowledgeAnswerLength = 'short' | 'medium' | 'long';

/** Where a repository's docs come from; see src/modules/knowledge and docs/knowledge.md. */
export interface KnowledgeSourcesTable {
  id: string;
  repo_id: string;
  kind: KnowledgeSourceKind;
  name: string;
  config: Json;
  base_url: string | null;
  schedule_minutes: number | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface KnowledgeDocumentsTable {
  id: string;
  repo_id: string;
  source_id: string;
  path: string;
  content_hash: string;
  updated_at: Timestamp;
}

export interface KnowledgePassagesTable {
  id: string;
  repo_id: string;
  source_id: string;
  document_id: string;
  position: number;
  title_path: string[];
  anchor: string;
  url: string;
  text: string;
  content_hash: string;
  embedding: number[] | null;
}

export interface KnowledgeIngestionsTable {
  id: string;
  repo_id: string;
  source_id: string | null;
  trigger: 'api' | 'cli' | 'schedule' | 'upload';
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  files_seen: Generated<number>;
  files_indexed: Generated<number>;
  files_unchanged: Generated<number>;
  files_removed: Generated<number>;
  passages_added: Generated<number>;
  passages_removed: Generated<number>;
  skipped: ColumnType<unknown, string | undefined, string>;
  error: string | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  created_at: Timestamp;
}

export interface KnowledgeSettingsTable {
  repo_id: string;
  extra_instructions: Generated<string>;
  source_ids: string[] | null;
  answer_length: Generated<KnowledgeAnswerLength>;
  threshold: Generated<number>;
  index_version: Generated<number>;
  updated_at: Timestamp;
}

export interface KnowledgeAnswersTable {
  id: string;
  repo_id: string;
  user_id: string | null;
  question: string;
  answer: string;
  mode: 'extractive' | 'generated';
  confidence: number;
  declined: boolean;
  citations: Json;
  latency_ms: number;
  helpful: boolean | null;
  feedback_at: Timestamp | null;
  created_at: Timestamp;
}

export interface KnowledgeTicketConsentsTable {
  ticket_id: string;
  repo_id: string;
  consented_by: string;
  consented_at: Timestamp;
}

/** Declaration merging adds the knowledge tables to the schema without touching the list above. */
export interface DB {
  knowledge_sources: KnowledgeSourcesTable;
  knowledge_documents: KnowledgeDocumentsTable;
  knowledge_passages: KnowledgePassagesTable;
  knowledge_ingestions: KnowledgeIngestionsTable;
  knowledge_settings: KnowledgeSettingsTable;
  knowledge_answers: KnowledgeAnswersTable;
  knowledge_ticket_consents: KnowledgeTicketConsentsTable;
}

export type PayeeType = 'helper' | 'repo';
export type PayoutSchedule = 'weekly' | 'monthly';
export type PayoutMethod = 'stripe' | 'manual';
export type PayoutStatus = 'processing' | 'pending_manual' | 'paid' | 'failed';

/** How often a helper or a repository is paid out; see docs/payouts-and-statements.md. */
export interface PayoutSettingsTable {
  payee_type: PayeeType;
  payee_id: string;
  schedule: PayoutSchedule;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface PayoutMinimumsTable {
  payee_type: PayeeType;
  payee_id: string;
  currency: string;
  minimum: number;
}

/** How one ledger payout left the platform, and whether it arrived. */
export interface PayoutsTable {
  id: string;
  payee_type: PayeeType;
  payee_id: string;
  currency: string;
  amount: number;
  period_key: string;
  method: PayoutMethod;
  status: PayoutStatus;
  ledger_transaction_id: string;
  reversal_transaction_id: string | null;
  destination: string | null;
  provider_transfer_id: string | null;
  transfer_attempts: Generated<number>;
  failure_reason: string | null;
  paid_reference: string | null;
  paid_by: string | null;
  paid_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ReconciliationObject = 'charge' | 'refund' | 'transfer';
export type ReconciliationIssue = 'missing_in_ledger' | 'missing_at_provider' | 'amount_mismatch';

export interface ReconciliationRunsTable {
  id: string;
  provider: 'sandbox' | 'stripe';
  period_from: Timestamp;
  period_to: Timestamp;
  status: 'completed' | 'failed';
  checked: number;
  differences: number;
  error: string | null;
  started_by: string | null;
  started_at: Timestamp;
  finished_at: Timestamp;
}

export interface ReconciliationItemsTable {
  id: string;
  run_id: string;
  object: ReconciliationObject;
  external_id: string;
  issue: ReconciliationIssue;
  currency: string;
  ledger_amount: number | null;
  provider_amount: number | null;
  detail: string;
}

/** Declaration merging adds the payout tables to the schema without touching the list above. */
export interface DB {
  payout_settings: PayoutSettingsTable;
  payout_minimums: PayoutMinimumsTable;
  payouts: PayoutsTable;
  reconciliation_runs: ReconciliationRunsTable;
  reconciliation_items: ReconciliationItemsTable;
}

export type SlaTargetKind = 'firstResponse' | 'nextResponse' | 'resolution';

/** A repository's working hours; see src/modules/sla and docs/sla.md. */
export interface BusinessCalendarsTable {
  id: string;
  repo_id: string;
  name: string;
  time_zone: string;
  weekly_hours: Json;
  /** Local dates; repositories read them with ::text casts, so they arrive as 'YYYY-MM-DD'. */
  holidays: ColumnType<string[], string[], string[]>;
  created_by: string;
  created_at: Timestamp;
}

export interface SlaPoliciesTable {
  id: string;
  repo_id: string;
  name: string;
  calendar_id: string | null;
  targets: Json;
  created_by: string;
  created_at: Timestamp;
}

export interface RepoSlaDefaultsTable {
  repo_id: string;
  policy_id: string;
  updated_by: string;
  updated_at: Timestamp;
}

export interface TicketSlaTable {
  ticket_id: string;
  policy_id: string;
  source: 'repo_default' | 'plan';
  repo_id: string;
  calendar_id: string | null;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  first_response_due_at: Timestamp | null;
  first_response_met_at: Timestamp | null;
  first_response_breached_at: Timestamp | null;
  next_response_due_at: Timestamp | null;
  next_response_breached_at: Timestamp | null;
  resolution_due_at: Timestamp | null;
  resolution_met_at: Timestamp | null;
  resolution_breached_at: Timestamp | null;
  paused_at: Timestamp | null;
  stopped_at: Timestamp | null;
  next_due_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** General Support and Technical Guidance of one major version; see src/modules/releases. */
export interface ReleaseWindowsTable {
  repo_id: string;
  major: number;
  general_from: string;
  general_until: string | null;
  guidance_from: string | null;
  guidance_until: string | null;
  upgrade_path: Generated<string>;
  updated_at: Timestamp;
}

/** Declaration merging: the version a ticket is about (0010), without touching the table above. */
export interface TicketsTable {
  version: string | null;
  version_major: number | null;
}

/** A helper's weekly availability and booking terms; see src/modules/scheduling and docs/scheduling.md. */
export interface HelperAvailabilityTable {
  user_id: string;
  time_zone: string;
  weekly_hours: Json;
  exceptions: Json;
  buffer_minutes: number;
  cancel_notice_hours: number | null;
  updated_at: Timestamp;
}

export interface RepoBookingPoliciesTable {
  repo_id: string;
  cancel_notice_hours: number;
  updated_at: Timestamp;
}

export interface BookingsTable {
  id: string;
  helper_id: string;
  customer_id: string;
  ticket_id: string | null;
  starts_at: Timestamp;
  ends_at: Timestamp;
  blocked_until: Timestamp;
  customer_time_zone: string;
  helper_time_zone: string;
  cancel_notice_hours: number;
  status: 'confirmed' | 'cancelled';
  cancelled_at: Timestamp | null;
  cancelled_by: string | null;
  late_cancellation: boolean | null;
  cancel_reason: string | null;
  rescheduled_at: Timestamp | null;
  session_started_at: Timestamp | null;
  session_stopped_at: Timestamp | null;
  metered_minutes: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Declaration merging adds the SLA, release window and scheduling tables (0010) to the schema. */
export interface DB {
  business_calendars: BusinessCalendarsTable;
  sla_policies: SlaPoliciesTable;
  repo_sla_defaults: RepoSlaDefaultsTable;
  ticket_sla: TicketSlaTable;
  release_windows: ReleaseWindowsTable;
  helper_availability: HelperAvailabilityTable;
  repo_booking_policies: RepoBookingPoliciesTable;
  bookings: BookingsTable;
}

export type ChatProvider = 'discord' | 'slack' | 'github' | 'email';
export type ConversationChannel = 'discord' | 'slack' | 'web' | 'github' | 'email';

/** A chat account linked to a Backline user; see src/modules/assistant. */
export interface ExternalIdentitiesTable {
  provider: ChatProvider;
  workspace: Generated<string>;
  external_user: string;
  user_id: string;
  display_name: string;
  email_verified_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One person's conversation with the assistant in one channel: the state machine and what it gathered. */
export interface ConversationsTable {
  id: string;
  channel: ConversationChannel;
  external_workspace: Generated<string>;
  external_channel: string;
  external_thread: string | null;
  external_user: string;
  user_id: string;
  state: string;
  repo_id: string | null;
  ticket_id: string | null;
  data: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Chat events (interactions, Slack events), stored once per (provider, external_id). */
export interface ChatEventsTable {
  id: string;
  provider: ChatProvider;
  external_id: string;
  type: string;
  payload: Json;
  received_at: Timestamp;
  handled_at: Timestamp | null;
}

/** Declaration merging adds the assistant's tables (0012) to the schema. */
export interface DB {
  external_identities: ExternalIdentitiesTable;
  conversations: ConversationsTable;
  chat_events: ChatEventsTable;
}

/** A Slack workspace that installed the app; see src/integrations/slack/installations.ts. */
export interface SlackInstallationsTable {
  team_id: string;
  team_name: Generated<string>;
  enterprise_id: string | null;
  app_id: string;
  bot_user_id: string;
  bot_token_encrypted: string;
  scopes: Generated<string>;
  support_channel_id: string | null;
  installed_by: string;
  installed_at: Timestamp;
  updated_at: Timestamp;
}

/** Declaration merging adds the Slack installations (0014) to the schema. */
export interface DB {
  slack_installations: SlackInstallationsTable;
}

export type PlanPeriod = 'month' | 'year';
export type PaymentMethod = 'card' | 'invoice';
export type SubscriptionStatus = 'incomplete' | 'active' | 'past_due' | 'ended' | 'cancelled';

/** A support plan tier of a repository; see src/modules/plans and docs/plans.md. */
export interface PlansTable {
  id: string;
  repo_id: string;
  name: string;
  description: Generated<string>;
  period: PlanPeriod;
  included_hours: number | null;
  included_tickets: number | null;
  channels: string[];
  private_slack: Generated<boolean>;
  private_discord: Generated<boolean>;
  sla_policy_id: string;
  active: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PlanPricesTable {
  plan_id: string;
  currency: string;
  amount: number;
}

export interface SubscriptionsTable {
  id: string;
  org_id: string;
  repo_id: string;
  plan_id: string;
  currency: string;
  payment_method: PaymentMethod;
  po_number: string | null;
  status: SubscriptionStatus;
  cancel_at_period_end: Generated<boolean>;
  credit: Generated<number>;
  commission_bps: number;
  platform_fee_bps: number;
  payer_id: string;
  current_period_id: string | null;
  anchor_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  ended_at: Timestamp | null;
}

export interface SubscriptionPeriodsTable {
  id: string;
  subscription_id: string;
  plan_id: string;
  kind: 'initial' | 'renewal' | 'change';
  status: 'pending' | 'active' | 'void';
  starts_at: Timestamp | null;
  ends_at: Timestamp | null;
  cycle_starts_at: Timestamp | null;
  cycle_ends_at: Timestamp | null;
  amount: number;
  credit_applied: Generated<number>;
  credited_back: Generated<number>;
  payment_id: string | null;
  invoice_id: string | null;
  due_at: Timestamp | null;
  paid_at: Timestamp | null;
  processor_fee: Generated<number>;
  closed_at: Timestamp | null;
  close_transaction_id: string | null;
  created_at: Timestamp;
}

export interface SubscriptionTicketsTable {
  ticket_id: string;
  subscription_id: string;
  period_id: string;
  linked_at: Timestamp;
}

/** The consulting catalogue of a repository; see src/modules/consulting and docs/consulting.md. */
export interface ConsultingServicesTable {
  id: string;
  repo_id: string;
  name: string;
  description: Generated<string>;
  typical_hours: number;
  active: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConsultingRatesTable {
  service_id: string;
  currency: string;
  hourly_rate: number;
}

export interface ConsultingRequestsTable {
  id: string;
  repo_id: string;
  service_id: string;
  ticket_id: string;
  requester_id: string;
  org_id: string | null;
  context: string;
  status: 'open' | 'accepted';
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ConsultingQuotesTable {
  id: string;
  request_id: string;
  helper_id: string;
  hours: number;
  amount: number;
  currency: string;
  note: Generated<string>;
  proposed_starts: Date[];
  status: 'pending' | 'accepted' | 'declined' | 'withdrawn';
  expires_at: Timestamp;
  payment_method: PaymentMethod | null;
  payment_id: string | null;
  booking_id: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Declaration merging adds the plan, subscription and consulting tables (0013) to the schema. */
export interface DB {
  plans: PlansTable;
  plan_prices: PlanPricesTable;
  subscriptions: SubscriptionsTable;
  subscription_periods: SubscriptionPeriodsTable;
  subscription_tickets: SubscriptionTicketsTable;
  consulting_services: ConsultingServicesTable;
  consulting_rates: ConsultingRatesTable;
  consulting_requests: ConsultingRequestsTable;
  consulting_quotes: ConsultingQuotesTable;
}

/** An installation of the GitHub App (0015); see src/integrations/github. */
export interface GithubInstallationsTable {
  id: string;
  account_login: string;
  account_type: string;
  repository_selection: 'all' | 'selected';
  suspended_at: Timestamp | null;
  deleted_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface GithubInstallationReposTable {
  installation_id: string;
  github_repo_id: string;
  full_name: string;
  added_at: Timestamp;
}

export interface DB {
  github_installations: GithubInstallationsTable;
  github_installation_repos: GithubInstallationReposTable;
}


/** A browser talking to the assistant on a support page or widget; see src/integrations/web-chat. */
export interface WebVisitorsTable {
  id: string;
  user_id: string;
  display_name: string;
  email_verified_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type WebChatAuthor = 'visitor' | 'assistant' | 'helper';

/** A web conversation's transcript; seq orders it and is the id of its live (SSE) events. */
export interface WebChatMessagesTable {
  seq: Generated<number>;
  conversation_id: string;
  input_id: string | null;
  author: WebChatAuthor;
  author_name: string | null;
  body: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface PlatformSecretsTable {
  name: string;
  value: string;
  created_at: Timestamp;
}

/** Declaration merging adds the web chat's tables (0017) to the schema. */
export interface DB {
  web_visitors: WebVisitorsTable;
  web_chat_messages: WebChatMessagesTable;
  platform_secrets: PlatformSecretsTable;
}

/** A mail to a repository's support address (0020): counted per sender, held until confirmed; see src/integrations/email. */
export interface EmailRequestsTable {
  id: string;
  sender: string;
  repo_id: string;
  message_key: string;
  held: Json | null;
  received_at: Timestamp;
  confirmed_at: Timestamp | null;
  ticket_id: string | null;
  refusal: string | null;
}

export interface DB {
  email_requests: EmailRequestsTable;
}
