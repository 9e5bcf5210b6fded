import { MINUTE_MS, zoneOffsetSpans } from './business-time.ts';

/** "+02:00" for an offset in milliseconds. */
function offsetText(offsetMs: number): string {
  const minutes = Math.abs(offsetMs) / MINUTE_MS;
  return `${offsetMs < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * ISO 8601 local times with the zone's offset ("2026-03-30T10:00:00+02:00") for ascending instants.
 * The offsets come from the cached spans of the zone rather than from the zone library per instant,
 * so a month of slots formats in well under a millisecond.
 */
export function formatInZone(instants: number[], timeZone: string): string[] {
  if (instants.length === 0) return [];
  const spans = zoneOffsetSpans(timeZone, instants[0], instants[instants.length - 1] + 1);
  let span = 0;
  let suffix = offsetText(spans[0][2]);
  return instants.map((instant) => {
    if (instant >= spans[span][1]) {
      while (instant >= spans[span][1]) span++;
      suffix = offsetText(spans[span][2]);
    }
    return `${new Date(instant + spans[span][2]).toISOString().slice(0, 19)}${suffix}`;
  });
}
