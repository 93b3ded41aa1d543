import { describe, expect, it } from 'vitest';
import { parseBacktraceGroup } from '../../shared/domain/backtrace-group.ts';
import { sampleBody } from './domain-factories.ts';

describe('Function: parseBacktraceGroup', () => {
  it('accepts the documented webhook sample and keeps every field', () => {
    // Prepare
    const body = sampleBody();

    // Act
    const result = parseBacktraceGroup(body);

    // Assess
    expect(result).toEqual({ ok: true, group: body });
  });

  it('keeps unknown extra fields Backtrace may add', () => {
    // Prepare
    const body = { ...sampleBody(), tenant: 'acme', extra: { nested: [1, 2] } };

    // Act
    const result = parseBacktraceGroup(body);

    // Assess
    expect(result.ok && result.group).toMatchObject({ tenant: 'acme', extra: { nested: [1, 2] } });
  });

  it('accepts a minimal group and treats null optional fields as absent', () => {
    // Prepare
    const body = { universe: 'u', project: 'p', fingerprint: 'f', application: null, callstack: null };

    // Act
    const result = parseBacktraceGroup(body);

    // Assess
    expect(result).toEqual({ ok: true, group: { universe: 'u', project: 'p', fingerprint: 'f' } });
  });

  it('accepts attribute values of every JSON scalar type', () => {
    // Prepare
    const body = { ...sampleBody(), attributes: { a: [['x', 1], [2, 3], [true, 1], [null, 4]] } };

    // Act
    const result = parseBacktraceGroup(body);

    // Assess
    expect(result.ok).toBe(true);
  });

  it.each([
    [
      'a missing fingerprint',
      { fingerprint: undefined },
      "fingerprint: required string is missing (Backtrace's webhook body carries the error group's fingerprint)",
    ],
    ['an empty universe', { universe: '' }, 'universe: must not be empty ('],
    ['a numeric project', { project: 7 }, 'project: expected a string, got the number 7 ('],
    ['a callstack string', { callstack: 'main' }, 'callstack: expected an array, got the string "main" (a list of frame names'],
    ['a frame that is not a string', { callstack: ['main', 3] }, 'callstack[1]: expected a string, got the number 3 (each item is a string)'],
    ['occurrences as text', { occurrences: '35' }, 'occurrences: expected a number, got the string "35" ('],
    ['a one-element timestamp', { timestamp: [1] }, 'timestamp: has too few items ([first seen, last seen] in unix seconds)'],
    ['a timestamp in text', { timestamp: [1, 'x'] }, 'timestamp[1]: expected a number, got the string "x" (unix seconds)'],
    ['a histogram that is not a list', { attributes: { version: '1.0' } }, 'attributes.version: expected an array, got the string "1.0" (a list of [value, count] pairs)'],
    ['a count in text', { attributes: { version: [['1.0', 'ten']] } }, 'attributes.version[0][1]: expected a number, got the string "ten" (the count is a number)'],
    ['an object value', { attributes: { 'build id': [[{}, 1]] } }, 'attributes["build id"][0][0]: got an object (the value is a string, number, boolean or null)'],
  ])('refuses %s, naming the path and what is expected', (_case, overrides, expected) => {
    // Prepare
    const body: Record<string, unknown> = { ...sampleBody(), ...overrides };
    for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key];

    // Act
    const result = parseBacktraceGroup(body);

    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join('\n')).toContain(expected);
  });

  it('lists every problem at once', () => {
    // Act
    const result = parseBacktraceGroup({ universe: 'u' });

    // Assess
    expect(!result.ok && result.problems).toEqual([
      "project: required string is missing (Backtrace's webhook body names the project the error group belongs to)",
      "fingerprint: required string is missing (Backtrace's webhook body carries the error group's fingerprint)",
    ]);
  });

  it.each([[null], [[]], ['text'], [42]])('refuses %j as a body', (body) => {
    // Act
    const result = parseBacktraceGroup(body);

    // Assess
    expect(!result.ok && result.problems[0]).toMatch(/^\(body\): expected a JSON object, got /);
  });
});
