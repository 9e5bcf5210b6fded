import type { RepoRow } from './repos.repository.ts';

export type Demand = { requests: number; organizations: number };

export function presentRepo(row: RepoRow, viewerRole: 'owner' | 'maintainer' | null = null, demand: Demand | null = null) {
  return {
    id: row.id,
    fullName: row.full_name,
    owner: row.owner,
    name: row.name,
    description: row.description,
    topics: row.topics,
    language: row.language,
    homepageUrl: row.homepage_url,
    docsUrl: row.docs_url,
    status: row.status,
    verifiedAt: row.verified_at ? row.verified_at.toISOString() : null,
    verificationMethod: row.verification_method,
    offerings: { ai: row.offers_ai, community: row.offers_community, expert: row.offers_expert },
    currency: row.currency,
    commissionBps: row.commission_bps,
    showHelpers: row.show_helpers,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    viewerRole,
    demand,
  };
}
