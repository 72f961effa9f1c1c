import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../main/core/duration.ts';

describe('durations', () => {
  it('reads Vault and Go forms', () => {
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration(45)).toBe(45);
    expect(parseDuration('5m30s')).toBe(330);
    expect(parseDuration('1.5h')).toBe(5400);
    expect(parseDuration('2d')).toBe(172800);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['', 'h', '5x', '1h 2m', '-5s', 'ten']) expect(parseDuration(bad)).toBeUndefined();
  });
  it('prints like Go without zero units', () => {
    expect(formatDuration(3600)).toBe('1h');
    expect(formatDuration(898)).toBe('14m58s');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(3661)).toBe('1h1m1s');
  });
});
