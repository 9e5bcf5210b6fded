import { IANAZone, type Zone } from 'luxon';

/**
 * Business time: which instants count as working time in a calendar (a time zone, weekly hours,
 * closed dates, extra hours on given dates), and arithmetic on that time. Pure: no clock, no database.
 *
 * Definition: an instant is working time when its wall-clock time in the calendar's zone, on its local
 * date, lies inside one of that date's intervals. Daylight-saving transitions follow from it: on a
 * 23-hour day the skipped wall-clock hour holds no instants, on a 25-hour day the repeated hour counts
 * twice when it is working time, and 00:00-24:00 is 23 or 25 hours long. See docs/decisions/0004-time-zones.md.
 *
 * Speed: intervals are turned into UTC instants once per 4-week chunk (the zone library runs only
 * there), with running totals, so adding minutes or measuring the time between two instants is a binary
 * search on numbers. The SLA sweep relies on it for 100,000 tickets at once.
 */

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Local wall-clock times "HH:MM"; an end may be "24:00" (midnight at the end of the day). */
export type LocalInterval = { start: string; end: string };

export type WorkingTimeSpec = {
  timeZone: string;
  weekly: Partial<Record<Weekday, LocalInterval[]>>;
  /** Local dates "YYYY-MM-DD" on which the weekly hours do not apply (holidays, days off). */
  closedDates?: string[];
  /** Local dates with hours of their own, added to the weekly hours (or replacing them on a closed date). */
  extraHours?: Record<string, LocalInterval[]>;
};

/** Arithmetic on working time; instants are epoch milliseconds. */
export type BusinessClock = {
  /** The instant `ms` of working time after `from` (before it when negative). */
  add(from: number, ms: number): number;
  /** Working time from a to b, negative when b is before a. */
  between(a: number, b: number): number;
  /** Working intervals [start, end) that overlap [from, to), clipped to it and merged when they touch. */
  intervals(from: number, to: number): Array<[number, number]>;
};

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const CHUNK_MS = 28 * DAY_MS;
/** Zones change offset at most once in this long (no tzdb zone changes twice within 6 hours). */
const SAMPLE_MS = DAY_MS / 4;
/** How far add() searches for working time before giving up (a calendar with almost none). */
const HORIZON_CHUNKS = 13 * 50;

/** Every instant counts: targets measured around the clock. */
export const aroundTheClock: BusinessClock = {
  add: (from, ms) => from + ms,
  between: (a, b) => b - a,
  intervals: (from, to) => (to > from ? [[from, to]] : []),
};

/** "HH:MM" to minutes after midnight; null when it is not a time of day ("24:00" is allowed). */
export function parseClockTime(value: string): number | null {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(value);
  if (!match) return null;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  return minutes <= 1440 ? minutes : null;
}

/** "YYYY-MM-DD" to days since 1970-01-01; null when it is not a real date. */
export function parseLocalDate(value: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(ms).toISOString().startsWith(value) ? ms / DAY_MS : null;
}

type Minutes = Array<[number, number]>;
type Chunk = { starts: number[]; ends: number[]; cumBefore: number[]; total: number };

function toMinutes(intervals: LocalInterval[] | undefined): Minutes {
  return (intervals ?? []).map(({ start, end }) => {
    const from = parseClockTime(start);
    const to = parseClockTime(end);
    if (from === null || to === null || to <= from) throw new RangeError(`bad working interval ${start}-${end}`);
    return [from, to];
  });
}

/** Sorted and merged, so that weekly and extra hours of one date may overlap. */
function normalize(intervals: Minutes): Minutes {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const merged: Minutes = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

type Span = [start: number, end: number, offsetMs: number];

/**
 * [from, to) cut where the zone's UTC offset changes: sampled every 6 hours and bisected to the minute
 * where it changes. `from` must fall on a whole minute.
 */
function offsetSpans(zone: Zone, from: number, to: number): Span[] {
  const offsetMs = (at: number) => zone.offset(at) * MINUTE_MS;
  const spans: Span[] = [];
  let spanStart = from;
  let offset = offsetMs(from);
  const lastMinute = to - MINUTE_MS;
  for (let probe = from; probe < lastMinute; ) {
    const next = Math.min(probe + SAMPLE_MS, lastMinute);
    if (offsetMs(next) !== offset) {
      // The change lies in (probe, next]: find the first minute on the new offset.
      let lo = probe;
      let hi = next;
      while (hi - lo > MINUTE_MS) {
        const mid = lo + Math.floor((hi - lo) / MINUTE_MS / 2) * MINUTE_MS;
        if (offsetMs(mid) === offset) lo = mid;
        else hi = mid;
      }
      spans.push([spanStart, hi, offset]);
      spanStart = hi;
      offset = offsetMs(hi);
    }
    probe = next;
  }
  spans.push([spanStart, to, offset]);
  return spans;
}

const spansByZone = new Map<string, { zone: Zone; chunks: Map<number, Span[]> }>();

/**
 * The spans of constant UTC offset of a zone over [from, to), from a cache of whole chunks per zone:
 * asking the zone library for offsets is the slow part, and a zone's offsets do not change while the
 * process runs. Adjacent spans with one offset are merged.
 */
export function zoneOffsetSpans(timeZone: string, from: number, to: number): Span[] {
  let cached = spansByZone.get(timeZone);
  if (!cached) {
    const zone = IANAZone.create(timeZone);
    if (!zone.isValid) throw new RangeError(`unknown time zone ${timeZone}`);
    cached = { zone, chunks: new Map() };
    spansByZone.set(timeZone, cached);
  }
  const result: Span[] = [];
  for (let index = Math.floor(from / CHUNK_MS); index * CHUNK_MS < to; index++) {
    let spans = cached.chunks.get(index);
    if (!spans) {
      spans = offsetSpans(cached.zone, index * CHUNK_MS, (index + 1) * CHUNK_MS);
      cached.chunks.set(index, spans);
    }
    for (const [spanStart, spanEnd, offset] of spans) {
      const start = Math.max(spanStart, from);
      const end = Math.min(spanEnd, to);
      if (end <= start) continue;
      const last = result.at(-1);
      if (last && last[2] === offset && last[1] === start) last[1] = end;
      else result.push([start, end, offset]);
    }
  }
  return result;
}

export function compileWorkingTime(spec: WorkingTimeSpec): BusinessClock {
  if (!IANAZone.isValidZone(spec.timeZone)) throw new RangeError(`unknown time zone ${spec.timeZone}`);
  const weekly = WEEKDAYS.map((day) => normalize(toMinutes(spec.weekly[day])));
  const closed = new Set((spec.closedDates ?? []).map((date) => parseLocalDate(date)));
  const extra = new Map(Object.entries(spec.extraHours ?? {}).map(([date, hours]) => [parseLocalDate(date), toMinutes(hours)]));
  const chunks = new Map<number, Chunk>();

  /** Working minutes of a local date (days since the epoch; 1970-01-01 was a Thursday). */
  function hoursOf(day: number): Minutes {
    const base = closed.has(day) ? [] : weekly[(day + 3) % 7];
    const added = extra.get(day);
    return added ? normalize([...base, ...added]) : base;
  }

  function buildChunk(index: number): Chunk {
    const chunkStart = index * CHUNK_MS;
    const starts: number[] = [];
    const ends: number[] = [];
    for (const [spanStart, spanEnd, offset] of zoneOffsetSpans(spec.timeZone, chunkStart, chunkStart + CHUNK_MS)) {
      // Within a span, wall-clock time is the instant plus one offset, so each date's hours map back by subtracting it.
      const wallFrom = spanStart + offset;
      const wallTo = spanEnd + offset;
      for (let day = Math.floor(wallFrom / DAY_MS); day * DAY_MS < wallTo; day++) {
        for (const [startMin, endMin] of hoursOf(day)) {
          const start = Math.max(day * DAY_MS + startMin * MINUTE_MS, wallFrom) - offset;
          const end = Math.min(day * DAY_MS + endMin * MINUTE_MS, wallTo) - offset;
          if (end <= start) continue;
          if (ends.length && ends[ends.length - 1] === start) ends[ends.length - 1] = end;
          else {
            starts.push(start);
            ends.push(end);
          }
        }
      }
    }
    // Spans follow each other and wall-clock time grows within each, so the intervals come out in order.
    const chunk: Chunk = { starts, ends, cumBefore: [], total: 0 };
    for (let i = 0; i < starts.length; i++) {
      chunk.cumBefore.push(chunk.total);
      chunk.total += ends[i] - starts[i];
    }
    return chunk;
  }

  function chunkAt(index: number): Chunk {
    let chunk = chunks.get(index);
    if (!chunk) {
      chunk = buildChunk(index);
      chunks.set(index, chunk);
    }
    return chunk;
  }

  /** Working time in [chunk start, at). */
  function doneBefore(chunk: Chunk, at: number): number {
    let lo = 0;
    let hi = chunk.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (chunk.starts[mid] <= at) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return 0;
    const i = lo - 1;
    return chunk.cumBefore[i] + Math.min(at, chunk.ends[i]) - chunk.starts[i];
  }

  /** The instant in the chunk where `done` working time has passed: the earliest one, or the latest when `latest`. */
  function instantAt(chunk: Chunk, done: number, latest: boolean): number {
    let lo = 0;
    let hi = chunk.starts.length - 1;
    while (lo < hi) {
      const mid = latest ? (lo + hi + 1) >>> 1 : (lo + hi) >>> 1;
      if (latest ? chunk.cumBefore[mid] <= done : chunk.cumBefore[mid] + chunk.ends[mid] - chunk.starts[mid] >= done) {
        if (latest) lo = mid;
        else hi = mid;
      } else if (latest) hi = mid - 1;
      else lo = mid + 1;
    }
    return chunk.starts[lo] + (done - chunk.cumBefore[lo]);
  }

  function between(a: number, b: number): number {
    if (b < a) return -between(b, a);
    const first = Math.floor(a / CHUNK_MS);
    const last = Math.floor(b / CHUNK_MS);
    if (first === last) {
      const chunk = chunkAt(first);
      return doneBefore(chunk, b) - doneBefore(chunk, a);
    }
    let sum = chunkAt(first).total - doneBefore(chunkAt(first), a);
    for (let index = first + 1; index < last; index++) sum += chunkAt(index).total;
    return sum + doneBefore(chunkAt(last), b);
  }

  function add(from: number, ms: number): number {
    if (ms === 0) return from;
    const forward = ms > 0;
    let left = Math.abs(ms);
    let index = Math.floor(from / CHUNK_MS);
    let chunk = chunkAt(index);
    // Working time still available in this chunk in the direction of travel.
    let done = doneBefore(chunk, from);
    for (let step = 0; step <= HORIZON_CHUNKS; step++) {
      const available = forward ? chunk.total - done : done;
      if (left <= available) return instantAt(chunk, forward ? done + left : done - left, !forward);
      left -= available;
      index += forward ? 1 : -1;
      chunk = chunkAt(index);
      done = forward ? 0 : chunk.total;
    }
    throw new RangeError('this calendar has too little working time to reach the target within 50 years');
  }

  function intervals(from: number, to: number): Array<[number, number]> {
    const result: Array<[number, number]> = [];
    for (let index = Math.floor(from / CHUNK_MS); index * CHUNK_MS < to; index++) {
      const chunk = chunkAt(index);
      for (let i = 0; i < chunk.starts.length; i++) {
        const start = Math.max(chunk.starts[i], from);
        const end = Math.min(chunk.ends[i], to);
        if (end <= start) continue;
        const last = result.at(-1);
        if (last && last[1] === start) last[1] = end;
        else result.push([start, end]);
      }
    }
    return result;
  }

  return { add, between, intervals };
}
