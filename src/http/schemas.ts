import { z } from 'zod';

/** Shapes shared by every module's schemas. */
export const errorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  })
  .meta({ id: 'Error' });

export const isoDate = z.iso.datetime();
export const uuid = z.uuid();
export const idParams = z.object({ id: z.uuid() });
export const pageQuery = {
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
};

export const errorResponses = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  429: errorResponse,
};

/** Accepts absent, empty or a non-empty string; turns empty into null (form fields). */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((value) => (value ? value : null));

/**
 * An IANA time zone name, kept in its canonical spelling ('europe/paris' becomes 'Europe/Paris').
 * Intl also accepts UTC offsets such as +01:00, which are not zone names (no daylight saving, and
 * PostgreSQL reads '+01:00' with the POSIX sign, an hour the wrong way): those are refused.
 */
export const timeZone = z.string().transform((zone, context) => {
  const canonical = canonicalTimeZone(zone);
  if (canonical === null) {
    context.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Paris', input: zone });
    return z.NEVER;
  }
  return canonical;
});

function canonicalTimeZone(zone: string): string | null {
  if (!/^[A-Za-z]/.test(zone)) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    // Only fix the case: an alias (EST, GMT) stays as the user chose it.
    return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  } catch {
    return null;
  }
}

export const toIso = (date: Date | null | undefined) => (date ? date.toISOString() : null);
