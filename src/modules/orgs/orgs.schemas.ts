import { z } from 'zod';
import { isoDate, optionalText } from '../../http/schemas.ts';
import { emailSchema } from '../auth/auth.service.ts';

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/, 'must be 1-60 lowercase letters, digits or dashes, not starting or ending with a dash');

export const orgParams = z.object({ slug: z.string().min(1).max(60) });

export const billingFields = {
  legalName: optionalText(200),
  addressLine1: optionalText(200),
  addressLine2: optionalText(200),
  postalCode: optionalText(20),
  city: optionalText(100),
  region: optionalText(100),
  country: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as DE')
    .nullish()
    .transform((value) => value ?? null),
  vatId: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{2}[A-Z0-9+*.]{2,13}$/, 'must be a VAT id such as DE123456789')
    .nullish()
    .transform((value) => value ?? null),
  poNumberDefault: optionalText(100),
  billingEmail: emailSchema.nullish().transform((value) => value ?? null),
};

export const createOrgBody = z.object({ slug: slugSchema, name: z.string().trim().min(1).max(200), ...billingFields });
export const updateOrgBody = z.object({ name: z.string().trim().min(1).max(200), ...billingFields }).partial().strict();

export const orgOut = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    viewerRole: z.enum(['admin', 'member']).nullable(),
    billing: z
      .object({
        legalName: z.string().nullable(),
        addressLine1: z.string().nullable(),
        addressLine2: z.string().nullable(),
        postalCode: z.string().nullable(),
        city: z.string().nullable(),
        region: z.string().nullable(),
        country: z.string().nullable(),
        vatId: z.string().nullable(),
        poNumberDefault: z.string().nullable(),
        billingEmail: z.string().nullable(),
      })
      .nullable()
      .describe('Billing details, shown to organization admins'),
    createdAt: isoDate,
  })
  .meta({ id: 'Organization' });

export const memberOut = z.object({
  userId: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(['admin', 'member']),
  joinedAt: isoDate,
});

export const invitationBody = z.object({ email: emailSchema, role: z.enum(['admin', 'member']).default('member') });
export const invitationOut = z.object({ id: z.uuid(), email: z.string(), role: z.enum(['admin', 'member']), expiresAt: isoDate });

export type CreateOrgInput = z.output<typeof createOrgBody>;
export type UpdateOrgInput = z.output<typeof updateOrgBody>;
