import { IANAZone } from 'luxon';
import { MINUTE_MS, offsetSpans } from './business-time.ts';

/** "+02:00" for an offset in milliseconds. */
function offsetText(offsetMs: number): string {
  const minutes = Math.abs(offsetMs) / MINUTE_MS;
  return `${offsetMs < 0 ? '-' : '+'}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * ISO 8601 local times with the zone's offset ("2026-03-30T10:00:00+02:00") for ascending instants.
 * The offsets are found once for the whole range rather than once per instant, so a month of slots
 * formats in well under a millisecond.
 */
export function formatInZone(instants: number[], timeZone: string): string[] {
  if (instants.length === 0) return [];
  const zone = IANAZone.create(timeZone);
  const from = Math.floor(instants[0] / MINUTE_MS) * MINUTE_MS;
  const spans = offsetSpans(zone, from, instants[instants.length - 1] + MINUTE_MS);
  let span = 0;
  return instants.map((instant) => {
    while (instant >= spans[span][1]) span++;
    const offset = spans[span][2];
    return `${new Date(instant + offset).toISOString().slice(0, 19)}${offsetText(offset)}`;
  });
}
