import { z } from 'zod';
import { localDate } from '../sla/working-time.schemas.ts';

const period = (what: string) =>
  z
    .object({ from: localDate, until: localDate.nullable().default(null).describe('Last day, inclusive; null while no end is announced') })
    .refine((value) => value.until === null || value.until > value.from, { path: ['until'], message: `must be after the start of ${what}` });

const windowIn = z
  .object({
    major: z.number().int().min(0).max(999_999),
    generalSupport: period('General Support').describe('Bug and security fixes and developer support'),
    technicalGuidance: period('Technical Guidance').nullable().default(null).describe('Help to plan and complete upgrades; no new releases'),
    upgradePath: z.string().trim().max(2000).default('').describe('Shown on tickets about this version once it leaves General Support'),
  })
  .refine((window) => !window.technicalGuidance || window.generalSupport.until !== null, {
    path: ['technicalGuidance'],
    message: 'follows General Support, so General Support needs an end date first',
  })
  .refine((window) => !window.technicalGuidance || window.generalSupport.until === null || window.technicalGuidance.from >= window.generalSupport.until, {
    path: ['technicalGuidance', 'from'],
    message: 'must not start before General Support ends',
  });

export const putWindowsBody = z.object({
  windows: z
    .array(windowIn)
    .max(100)
    .superRefine((windows, context) => {
      const seen = new Set<number>();
      windows.forEach((window, index) => {
        if (seen.has(window.major)) context.addIssue({ code: 'custom', path: [index, 'major'], message: `major version ${window.major} is listed twice` });
        seen.add(window.major);
      });
    })
    .describe('Every window of the repository: the list replaces the one before'),
});

const periodOut = z.object({ from: z.string(), until: z.string().nullable() });
export const windowOut = z
  .object({ major: z.number().int(), generalSupport: periodOut, technicalGuidance: periodOut.nullable(), upgradePath: z.string() })
  .meta({ id: 'ReleaseWindow' });
export const windowsOut = z.object({ repo: z.string(), items: z.array(windowOut) });

export type PutWindowsInput = z.output<typeof putWindowsBody>;
