import { describe, expect, it } from 'vitest';
import {
  baselineMinutes,
  DEFAULT_BASELINES,
  HoursSavedBaselines,
  minutesSaved,
} from '../../functions/domain/hours-saved.js';

describe('Rule: hours saved', () => {
  const baselines = { defaultMinutes: 60, classes: { pos_offline: 90 } };

  it('saves the baseline minus the engineer minutes', () => {
    expect(minutesSaved(baselines, { incidentClass: 'pos_offline', engineerMinutes: 15 })).toBe(75);
  });

  it('uses the default baseline for an unknown class', () => {
    expect(baselineMinutes(baselines, 'printer_jam')).toBe(60);
    expect(minutesSaved(baselines, { incidentClass: 'printer_jam', engineerMinutes: 0 })).toBe(60);
  });

  it('never saves negative time when a person took longer than the baseline', () => {
    expect(minutesSaved(baselines, { incidentClass: 'pos_offline', engineerMinutes: 200 })).toBe(0);
  });

  it('validates the configured table', () => {
    expect(HoursSavedBaselines.safeParse(DEFAULT_BASELINES).success).toBe(true);
    expect(HoursSavedBaselines.safeParse({ defaultMinutes: -1, classes: {} }).success).toBe(false);
  });
});
