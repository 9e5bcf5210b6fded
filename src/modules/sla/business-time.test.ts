import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { aroundTheClock, compileWorkingTime, MINUTE_MS, parseClockTime, parseLocalDate, WEEKDAYS, type WorkingTimeSpec } from './business-time.ts';

const HOUR_MS = 60 * MINUTE_MS;
const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();
const nineToFive = { start: '09:00', end: '17:00' };
const weekdays = (intervals = [nineToFive]) => ({ monday: intervals, tuesday: intervals, wednesday: intervals, thursday: intervals, friday: intervals });
const allDay = Object.fromEntries(WEEKDAYS.map((day) => [day, [{ start: '00:00', end: '24:00' }]]));

describe('business time', () => {
  test('office hours in Paris: evenings and weekends do not count', () => {
    const paris = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: weekdays() });
    // Friday 16:30 in Paris (CET, UTC+1) plus one business hour: 30 minutes on Friday, 30 on Monday.
    assert.equal(iso(paris.add(at('2026-01-09T15:30:00Z'), HOUR_MS)), '2026-01-12T08:30:00.000Z');
    assert.equal(paris.between(at('2026-01-09T15:30:00Z'), at('2026-01-12T08:30:00Z')), HOUR_MS);
    // Saturday night counts for nothing; the clock starts on Monday at 09:00.
    assert.equal(iso(paris.add(at('2026-01-10T22:00:00Z'), 15 * MINUTE_MS)), '2026-01-12T08:15:00.000Z');
    assert.equal(paris.between(at('2026-01-10T00:00:00Z'), at('2026-01-11T23:59:00Z')), 0);
    // A whole week holds five days of eight hours.
    assert.equal(paris.between(at('2026-01-05T00:00:00Z'), at('2026-01-12T00:00:00Z')), 40 * HOUR_MS);
    // Ending exactly at closing time stays on that day rather than jumping to the next opening.
    assert.equal(iso(paris.add(at('2026-01-09T08:00:00Z'), 8 * HOUR_MS)), '2026-01-09T16:00:00.000Z');
  });

  test('holidays are skipped, and several intervals a day (a lunch break) add up', () => {
    const lunch = [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }];
    const paris = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: weekdays(lunch), closedDates: ['2026-05-01'] });
    // Thursday 30 April 16:00 (CEST, UTC+2) + 3 hours: 1 on Thursday, Friday 1 May is a holiday, 2 on Monday 4 May.
    assert.equal(iso(paris.add(at('2026-04-30T14:00:00Z'), 3 * HOUR_MS)), '2026-05-04T09:00:00.000Z');
    // 11:30 + 1 hour skips lunch: 30 minutes before, 30 after, so 13:30.
    assert.equal(iso(paris.add(at('2026-05-04T09:30:00Z'), HOUR_MS)), '2026-05-04T11:30:00.000Z');
    assert.equal(paris.between(at('2026-05-01T00:00:00Z'), at('2026-05-02T00:00:00Z')), 0);
  });

  test('Europe/Paris in March: the 23-hour day, and office hours across the change', () => {
    const always = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: allDay });
    // Sunday 29 March 2026 runs from 00:00 CET (23:00Z the day before) to 00:00 CEST (22:00Z).
    assert.equal(always.between(at('2026-03-28T23:00:00Z'), at('2026-03-29T22:00:00Z')), 23 * HOUR_MS);
    const paris = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: weekdays() });
    // Friday 16:00 CET + 2 business hours: 1 on Friday, 1 on Monday from 09:00 CEST (07:00Z).
    assert.equal(iso(paris.add(at('2026-03-27T15:00:00Z'), 2 * HOUR_MS)), '2026-03-30T08:00:00.000Z');
    assert.equal(paris.between(at('2026-03-23T00:00:00Z'), at('2026-04-04T00:00:00Z')), 80 * HOUR_MS);
    // Working hours that straddle the skipped hour (02:00-03:00 does not exist) are an hour shorter.
    const night = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: { sunday: [{ start: '01:00', end: '04:00' }] } });
    assert.equal(night.between(at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z')), 2 * HOUR_MS);
    assert.deepEqual(night.intervals(at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z')).map(([s, e]) => [iso(s), iso(e)]), [
      ['2026-03-29T00:00:00.000Z', '2026-03-29T02:00:00.000Z'],
    ]);
  });

  test('Europe/Paris in October: the 25-hour day counts the repeated hour twice', () => {
    const always = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: allDay });
    // Sunday 25 October 2026 runs from 00:00 CEST (22:00Z the day before) to 00:00 CET (23:00Z).
    assert.equal(always.between(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z')), 25 * HOUR_MS);
    assert.deepEqual(always.intervals(at('2026-10-24T22:00:00Z'), at('2026-10-25T23:00:00Z')).length, 1, 'one continuous interval');
    const night = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: { sunday: [{ start: '01:00', end: '04:00' }] } });
    assert.equal(night.between(at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z')), 4 * HOUR_MS);
    // Half an hour into the repeated hour: 01:00 CEST + 1.5 h is the first 02:30 (CEST); + 2 h is 02:00 CET.
    assert.equal(iso(night.add(at('2026-10-24T23:00:00Z'), 90 * MINUTE_MS)), '2026-10-25T00:30:00.000Z');
    assert.equal(iso(night.add(at('2026-10-24T23:00:00Z'), 2 * HOUR_MS)), '2026-10-25T01:00:00.000Z');
  });

  test('America/New_York in March and November', () => {
    const always = compileWorkingTime({ timeZone: 'America/New_York', weekly: allDay });
    assert.equal(always.between(at('2026-03-08T05:00:00Z'), at('2026-03-09T04:00:00Z')), 23 * HOUR_MS);
    assert.equal(always.between(at('2026-11-01T04:00:00Z'), at('2026-11-02T05:00:00Z')), 25 * HOUR_MS);
    const office = compileWorkingTime({ timeZone: 'America/New_York', weekly: weekdays() });
    // Friday 6 March 16:00 EST (21:00Z) + 2 h: Monday 9 March 10:00 EDT (14:00Z).
    assert.equal(iso(office.add(at('2026-03-06T21:00:00Z'), 2 * HOUR_MS)), '2026-03-09T14:00:00.000Z');
    // Friday 30 October 16:00 EDT (20:00Z) + 2 h: Monday 2 November 10:00 EST (15:00Z).
    assert.equal(iso(office.add(at('2026-10-30T20:00:00Z'), 2 * HOUR_MS)), '2026-11-02T15:00:00.000Z');
  });

  test('the weeks in which Europe and America change on different dates', () => {
    // 9-27 March 2026 New York is already on summer time and Paris is not: the gap is 5 hours, not 6.
    const newYork = compileWorkingTime({ timeZone: 'America/New_York', weekly: weekdays() });
    const paris = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: weekdays() });
    const [nyMonday] = newYork.intervals(at('2026-03-16T00:00:00Z'), at('2026-03-17T00:00:00Z'));
    const [parisMonday] = paris.intervals(at('2026-03-16T00:00:00Z'), at('2026-03-17T00:00:00Z'));
    assert.equal(nyMonday[0] - parisMonday[0], 5 * HOUR_MS);
    const [nyLater] = newYork.intervals(at('2026-04-06T00:00:00Z'), at('2026-04-07T00:00:00Z'));
    const [parisLater] = paris.intervals(at('2026-04-06T00:00:00Z'), at('2026-04-07T00:00:00Z'));
    assert.equal(nyLater[0] - parisLater[0], 6 * HOUR_MS);
  });

  test('subtracting is the inverse of adding', () => {
    const paris = compileWorkingTime({ timeZone: 'Europe/Paris', weekly: weekdays() });
    const due = at('2026-03-30T08:00:00Z');
    assert.equal(iso(paris.add(due, -2 * HOUR_MS)), '2026-03-27T15:00:00.000Z');
    // From an opening time, going back lands on the previous closing time, not in the night.
    assert.equal(iso(paris.add(at('2026-01-12T08:00:00Z'), -MINUTE_MS)), '2026-01-09T15:59:00.000Z');
  });

  test('extra hours on a date, and a closed date with hours of its own', () => {
    const helper = compileWorkingTime({
      timeZone: 'Asia/Kolkata',
      weekly: weekdays(),
      closedDates: ['2026-01-07'],
      extraHours: { '2026-01-07': [{ start: '14:00', end: '15:00' }], '2026-01-10': [{ start: '10:00', end: '12:00' }] },
    });
    // Kolkata is UTC+5:30: Wednesday 7 January has only 14:00-15:00, Saturday 10 January 10:00-12:00.
    assert.deepEqual(helper.intervals(at('2026-01-06T18:30:00Z'), at('2026-01-07T18:30:00Z')), [[at('2026-01-07T08:30:00Z'), at('2026-01-07T09:30:00Z')]]);
    assert.equal(helper.between(at('2026-01-09T18:30:00Z'), at('2026-01-10T18:30:00Z')), 2 * HOUR_MS);
  });

  test('around the clock every instant counts', () => {
    assert.equal(aroundTheClock.add(at('2026-01-10T22:00:00Z'), HOUR_MS), at('2026-01-10T23:00:00Z'));
    assert.equal(aroundTheClock.between(at('2026-01-10T23:00:00Z'), at('2026-01-10T22:00:00Z')), -HOUR_MS);
  });

  test('bad input: unknown zones, impossible times and dates, a calendar with no hours at all', () => {
    assert.throws(() => compileWorkingTime({ timeZone: 'Mars/Olympus_Mons', weekly: weekdays() }), RangeError);
    assert.throws(() => compileWorkingTime({ timeZone: 'UTC', weekly: { monday: [{ start: '10:00', end: '09:00' }] } }), RangeError);
    assert.equal(parseClockTime('24:01'), null);
    assert.equal(parseClockTime('9:00'), null);
    assert.equal(parseClockTime('24:00'), 1440);
    assert.equal(parseLocalDate('2026-02-30'), null);
    assert.equal(parseLocalDate('2026-02-28'), 20_512);
    const empty = compileWorkingTime({ timeZone: 'UTC', weekly: {} });
    assert.throws(() => empty.add(at('2026-01-05T00:00:00Z'), MINUTE_MS), /too little working time/);
  });

  test('properties: adding then measuring gives the minutes back, in any zone, across any date', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC', 'America/Santiago'];
    // Quarter hours of the day; overlapping intervals on one day are merged by the engine.
    const interval = fc.integer({ min: 0, max: 95 }).chain((start) => fc.integer({ min: start + 1, max: 96 }).map((end) => ({ start, end })));
    const clock = (quarter: number) => `${String(Math.floor(quarter / 4)).padStart(2, '0')}:${String((quarter % 4) * 15).padStart(2, '0')}`;
    const spec = fc.record({
      timeZone: fc.constantFrom(...zones),
      days: fc.array(fc.tuple(fc.constantFrom(...WEEKDAYS), interval), { minLength: 1, maxLength: 6 }),
    }).map(({ timeZone, days }): WorkingTimeSpec => {
      const weekly: WorkingTimeSpec['weekly'] = {};
      for (const [day, { start, end }] of days) (weekly[day] ??= []).push({ start: clock(start), end: clock(end) });
      return { timeZone, weekly };
    });
    const instant = fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z') });
    fc.assert(
      fc.property(spec, instant, fc.integer({ min: -20_000, max: 20_000 }), (workingTime, from, minutes) => {
        const calendar = compileWorkingTime(workingTime);
        const to = calendar.add(from, minutes * MINUTE_MS);
        assert.equal(calendar.between(from, to), minutes * MINUTE_MS);
        assert.ok(minutes >= 0 ? to >= from : to <= from);
        const spans = calendar.intervals(Math.min(from, to), Math.max(from, to));
        assert.equal(spans.reduce((sum, [start, end]) => sum + end - start, 0), Math.abs(minutes) * MINUTE_MS);
      }),
      { numRuns: 300 },
    );
  });
});
