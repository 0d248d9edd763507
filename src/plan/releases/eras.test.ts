import { describe, expect, it } from 'vitest';
import { ERAS, eraOf } from './eras.js';
import { NEWEST, OLDEST_MODELLED } from './release.js';

describe('eras', () => {
  it('cover the modelled range without gaps or overlaps, oldest first', () => {
    expect(ERAS[0]!.first).toBe(OLDEST_MODELLED.minor);
    expect(ERAS.at(-1)!.last).toBe(NEWEST.minor);
    for (let i = 1; i < ERAS.length; i++) expect(ERAS[i]!.first).toBe(ERAS[i - 1]!.last + 1);
  });
  it.each([
    [10, 'E2'], [11, 'E2'], [12, 'E3'], [14, 'E3'], [15, 'E4'], [16, 'E4'], [17, 'E5'], [18, 'E5'],
    [19, 'E6'], [20, 'E6'], [21, 'E6'], [22, 'E7'], [23, 'E7'], [24, 'E8'], [25, 'E9'], [34, 'E9'],
  ])('1.%i is in %s', (minor, name) => {
    expect(eraOf({ major: 1, minor }).name).toBe(name);
  });
  it('name a planner file that exists and a source for each', async () => {
    const { existsSync } = await import('node:fs');
    for (const era of ERAS) {
      for (const file of era.planner.split(' and ')) expect(existsSync(file), file).toBe(true);
      expect(era.source.length).toBeGreaterThan(20);
    }
  });
});
