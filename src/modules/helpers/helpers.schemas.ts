import { z } from 'zod';
import { isoDate } from '../../http/schemas.ts';
import { emailSchema } from '../auth/auth.service.ts';

export const helperStatus = z.enum(['applied', 'invited', 'approved', 'rejected', 'removed']);

export const applicationBody = z.object({
  pitch: z.string().trim().min(10, 'tell the maintainers in a sentence or two why you can help').max(2000),
  links: z.array(z.url({ protocol: /^https?$/ }).max(500)).max(10).default([]),
});

export const invitationBody = z.object({ email: emailSchema, note: z.string().trim().max(1000).default('') });
export const decisionBody = z.object({ note: z.string().trim().max(1000).optional() }).optional();

export const helperOut = z
  .object({
    userId: z.uuid(),
    displayName: z.string(),
    githubLogin: z.string().nullable(),
    status: helperStatus,
    pitch: z.string().nullable().describe('Shown to maintainers only'),
    links: z.array(z.string()),
    decidedAt: isoDate.nullable(),
    createdAt: isoDate,
  })
  .meta({ id: 'Helper' });

export const helperList = z.object({ items: z.array(helperOut) });
