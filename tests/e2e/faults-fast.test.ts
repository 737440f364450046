import { describe, expect, it } from 'vitest';
import { runInProcess } from '../faults/in-process.js';
import { scenarios } from '../faults/scenarios.js';

/**
 * The fast subset of `npm run test:faults`: the same harness and scenarios at a small scale,
 * each on a fresh embedded stack in its own process with a real edge daemon.
 */
const SCALE = 0.05;
const FAST = [
  'kill -9 edge daemon x10',
  'acks lost after write',
  'processor crashes mid-batch',
  '1% poison of every kind',
  'device clock hours off',
  'daemon under aborted/malformed requests',
  'amplification record in a normal load',
];

describe('Faults (fast subset): nothing lost, nothing counted twice', () => {
  const all = scenarios(SCALE);
  for (const name of FAST) {
    it(name, async () => {
      const index = all.findIndex((s) => s.name === name);
      expect(index).toBeGreaterThanOrEqual(0);

      const result = await runInProcess(index, SCALE);

      expect(result.accepted).toBeGreaterThan(0);
      expect(result).toMatchObject({
        lost: 0,
        doubleCounted: 0,
        wronglyDeadLettered: 0,
        exact: true,
      });
      expect(result.deadLettered).toBe(result.expectedDeadLettered);
    }, 180_000);
  }
});
