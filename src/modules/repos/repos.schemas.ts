import { z } from 'zod';
import { errorResponses, isoDate, optionalText, pageQuery } from '../../http/schemas.ts';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const currencyCode = z
  .string()
  .transform((code) => code.toUpperCase())
  .refine((code) => CURRENCIES.has(code), { message: 'must be an ISO 4217 currency code such as EUR or USD' });

/** GitHub's own rules: owner up to 39 characters, repository up to 100, letters, digits, - _ . */
export const fullNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, 'must be "owner/name" as on GitHub')
  .refine((value) => !value.endsWith('/.') && !value.endsWith('/..'), 'must be "owner/name" as on GitHub');

export const repoParams = z.object({
  owner: z.string().min(1).max(39),
  name: z.string().min(1).max(100),
});

const topics = z
  .array(z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, 'topics are lowercase words with dashes, at most 50 characters'))
  .max(20)
  .transform((list) => [...new Set(list)]);

const url = z.url({ protocol: /^https?$/ }).max(500);

export const registerRepoBody = z.object({
  fullName: fullNameSchema,
  description: z.string().trim().max(500).default(''),
  topics: topics.default([]),
  language: optionalText(50),
  homepageUrl: url.nullish(),
  docsUrl: url.nullish(),
});

export const updateRepoBody = z
  .object({
    description: z.string().trim().max(500),
    topics,
    language: optionalText(50),
    homepageUrl: url.nullable(),
    docsUrl: url.nullable(),
    offerings: z.object({ ai: z.boolean(), community: z.boolean(), expert: z.boolean() }).partial(),
    currency: currencyCode,
    commissionBps: z.number().int().min(0).max(10_000),
    showHelpers: z.boolean(),
  })
  .partial()
  .strict();

export const searchQuery = z.object({
  q: z.string().trim().max(200).optional(),
  topic: z.string().trim().toLowerCase().max(50).optional(),
  language: z.string().trim().max(50).optional(),
  offering: z.enum(['ai', 'community', 'expert']).optional(),
  ...pageQuery,
});

export const repoOut = z
  .object({
    id: z.uuid(),
    fullName: z.string(),
    owner: z.string(),
    name: z.string(),
    description: z.string(),
    topics: z.array(z.string()),
    language: z.string().nullable(),
    homepageUrl: z.string().nullable(),
    docsUrl: z.string().nullable(),
    status: z.enum(['pending', 'verified', 'rejected']),
    verifiedAt: isoDate.nullable(),
    verificationMethod: z.enum(['github', 'operator']).nullable(),
    offerings: z.object({ ai: z.boolean(), community: z.boolean(), expert: z.boolean() }),
    currency: z.string(),
    commissionBps: z.number().int(),
    showHelpers: z.boolean(),
    createdAt: isoDate,
    updatedAt: isoDate,
    viewerRole: z.enum(['owner', 'maintainer']).nullable().describe('Your maintainer role on this repository, if any'),
    demand: z
      .object({ requests: z.number().int(), organizations: z.number().int() })
      .nullable()
      .describe('Onboarding requests businesses made before the repository was listed (maintainers and operators only)'),
  })
  .meta({ id: 'Repository' });

export const repoPage = z.object({ items: z.array(repoOut), nextCursor: z.string().nullable() });

export const onboardingBody = z.object({
  fullName: fullNameSchema,
  note: z.string().trim().max(1000).default(''),
  org: z.string().max(60).optional().describe('Slug of the organization asking, if any'),
});

export const onboardingOut = z.object({
  id: z.uuid(),
  fullName: z.string(),
  demand: z.object({ requests: z.number().int(), organizations: z.number().int() }),
});

export const demandListOut = z.object({
  items: z.array(
    z.object({
      fullName: z.string(),
      requests: z.number().int(),
      organizations: z.number().int(),
      lastRequestedAt: isoDate,
      notes: z.array(z.string()).describe("The requesters' notes, newest first (at most 10; empty ones left out)"),
    }),
  ),
});

export const repoErrors = errorResponses;
export type RegisterRepoInput = z.output<typeof registerRepoBody>;
export type UpdateRepoInput = z.output<typeof updateRepoBody>;
export type SearchInput = z.output<typeof searchQuery>;
