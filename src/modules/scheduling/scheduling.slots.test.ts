import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MINUTE_MS } from '../sla/business-time.ts';
import { freeSlots, subtract, type Range } from './scheduling.slots.ts';

const at = (time: string) => Date.parse(`2026-03-04T${time}:00Z`);
const times = (slots: Range[]) => slots.map(([start]) => new Date(start).toISOString().slice(11, 16));

describe('free slots', () => {
  test('subtracting taken ranges, overlapping or not, from available ones', () => {
    assert.deepEqual(subtract([[at('09:00'), at('12:00')]], [[at('08:00'), at('09:30')], [at('10:00'), at('10:30')], [at('10:15'), at('11:00')]]), [
      [at('09:30'), at('10:00')],
      [at('11:00'), at('12:00')],
    ]);
    assert.deepEqual(subtract([[at('09:00'), at('10:00')]], [[at('09:00'), at('10:00')]]), []);
  });

  test('a booking blocks its buffer after it, and the new booking needs its own buffer before the next one', () => {
    const slots = freeSlots({
      available: [[at('09:00'), at('13:00')]],
      bookings: [[at('10:00'), at('11:15')]], // 10:00-11:00 plus a 15-minute buffer
      bufferMs: 15 * MINUTE_MS,
      lengthMs: 60 * MINUTE_MS,
      notBefore: at('00:00'),
    });
    // 09:00 would end at 10:00 and its buffer would reach into the booking: the last start before is 08:45, outside hours.
    assert.deepEqual(times(slots), ['11:15', '11:30', '11:45', '12:00']);
  });

  test('starts fall on the quarter hour and never before notBefore', () => {
    const slots = freeSlots({ available: [[at('09:07'), at('11:00')]], bookings: [], bufferMs: 0, lengthMs: 30 * MINUTE_MS, notBefore: at('09:31') });
    assert.deepEqual(times(slots), ['09:45', '10:00', '10:15', '10:30']);
  });
});
