import { describe, expect, it } from 'vitest';
import { formatClinicClock, formatClinicTime } from '../../common/clinic-time.ts';

describe('clinic wall-clock times', () => {
  const instant = Date.parse('2026-12-01T16:03:27Z');

  it('read an instant in the clinic\'s zone, as a staff notice shows it', () => {
    expect(formatClinicClock(instant, 'Asia/Shanghai')).toBe('00:03:27');
    expect(formatClinicClock(instant, 'America/New_York')).toBe('11:03:27');
    expect(formatClinicTime(instant, 'Asia/Shanghai')).toBe('12月2日 00:03');
  });
});
