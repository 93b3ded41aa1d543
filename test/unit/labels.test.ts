import { describe, expect, it } from 'vitest';
import { normaliseLabel, normaliseLabels } from '../../shared/domain/labels.ts';

describe('Function: normaliseLabel', () => {
  it.each([
    ['a valid label as is', 'Backtrace', 'Backtrace'],
    ['whitespace runs as a dash', '  crash \t reporter\nv2 ', 'crash-reporter-v2'],
    ['an empty label as empty', '   ', ''],
    ['an overlong label cut to 255', 'x'.repeat(300), 'x'.repeat(255)],
    ['an emoji at the cut dropped whole', `${'x'.repeat(254)}😀`, 'x'.repeat(254)],
  ])('returns %s', (_case, label, expected) => {
    // Act
    const normalised = normaliseLabel(label);

    // Assess
    expect(normalised).toBe(expected);
  });
});

describe('Function: normaliseLabels', () => {
  it('normalises, drops empty labels and duplicates, keeping the first spelling', () => {
    // Act
    const labels = normaliseLabels(['Backtrace', ' crash  reporter ', '', 'crash reporter', 'Backtrace', 'backtrace']);

    // Assess
    expect(labels).toEqual(['Backtrace', 'crash-reporter', 'backtrace']);
  });
});
