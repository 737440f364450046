import { describe, expect, it } from 'vitest';
import { packHomeState, unpackHomeState } from '../../functions/adapters/home-codec.js';
import { foldEvents } from '../../functions/domain/fold-events.js';
import { emptyHome } from '../../functions/domain/home-state.js';
import {
  baselineMinutes,
  DEFAULT_BASELINES,
  HoursSavedBaselines,
  minutesSaved,
} from '../../functions/domain/hours-saved.js';
import { incident } from '../helpers/factories.js';

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

describe('Rule: hours saved for any incident class the contract allows', () => {
  // Identifier allows these; a plain object's prototype has a member under each name.
  const inherited = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];

  it.each(inherited)('uses the default baseline for class %s (no inherited member)', (name) => {
    // Prepare
    const baselines = HoursSavedBaselines.parse({
      defaultMinutes: 60,
      classes: { pos_offline: 90 },
    });

    // Act / Assess
    expect(baselineMinutes(baselines, name)).toBe(60);
    expect(minutesSaved(baselines, { incidentClass: name, engineerMinutes: 5 })).toBe(55);
  });

  it('leaves the team week part it counts an incident of class constructor in readable', () => {
    // Prepare
    const part = emptyHome(
      { kind: 'team-part', teamId: 'team-pos', week: '2026-W25', part: 3 },
      undefined,
    );

    // Act
    const { next } = foldEvents(part, [incident({ incidentClass: 'constructor' })], {
      baselines: DEFAULT_BASELINES,
    });
    const back = unpackHomeState({ packed: packHomeState(next) });

    // Assess
    expect(next.counters.minutesSaved).toBe(55);
    expect(back.counters.minutesSaved).toBe(55);
  });
});
