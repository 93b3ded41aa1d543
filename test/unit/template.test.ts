import { describe, expect, it } from 'vitest';
import { renderTemplate, renderTemplateParts, templateReferences } from '../../shared/domain/template.ts';
import { sampleGroup } from './domain-factories.ts';

describe('Function: renderTemplate', () => {
  it.each([
    ['the highest-count value of an attribute', '$version', '1.1.0'],
    ['the highest-count value of another attribute', '$environment', 'production'],
    ['literals mixed with attributes', 'Hostname: $hostname, Version: $version', 'Hostname: , Version: 1.1.0'],
    ['a braced name next to text', 'v${version}-beta', 'v1.1.0-beta'],
    ['a trailing dot as punctuation', 'Crash in $version.', 'Crash in 1.1.0.'],
    ['a dot inside a bare name', '$uname.sysname', 'Linux'],
    ['a dotted braced name', '${uname.sysname}!', 'Linux!'],
    ['a dashed braced name', '${build-id}', 'b-17'],
    ['a missing attribute', '[$nothere]', '[]'],
    ['a doubled dollar', 'costs $$5', 'costs $5'],
    ['a dollar starting no reference', 'a $ b ${not valid} c', 'a $ b ${not valid} c'],
    ['an unclosed brace', '${version', '${version'],
    ['the built-in fingerprint', '$fingerprint', '8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40'],
    ['the built-ins universe and project', '$universe/$project', 'my_universe/my_project'],
    ['the built-in application', '$application', 'my_app.exe'],
    ['the built-in classifiers', '$classifiers', 'exception'],
    ['the built-in occurrences, hosts and guids', '$occurrences $hosts $guids', '35 4 0'],
    ['the built-in first and last seen (ISO-8601 UTC)', '$first_seen .. $last_seen', '2017-08-17T07:12:06Z .. 2017-08-17T07:13:19Z'],
    ['the built-in object id', '$object_id', '2e6'],
    ['the built-in callstack', '$callstack', 'printf < my_fn < main'],
    ['the built-in group URL', '$group_url', sampleGroup().group_url],
  ])('renders %s', (_case, template, expected) => {
    // Prepare
    const group = sampleGroup({
      attributes: {
        ...sampleGroup().attributes,
        'uname.sysname': [['Linux', 3], ['Windows', 3]],
        'build-id': [['b-17', 1]],
      },
    });

    // Act
    const rendered = renderTemplate(template, group);

    // Assess
    expect(rendered).toBe(expected);
  });

  it.each([
    ['a tie goes to the value listed first', [['a', 2], ['b', 2]], 'a'],
    ['a number value', [[42, 1]], '42'],
    ['a boolean value', [[false, 3], [true, 1]], 'false'],
    ['a null value', [[null, 5], ['x', 1]], ''],
    ['an empty histogram falls back to the built-in', [], 'my_app.exe'],
  ])('renders %s', (_case, histogram, expected) => {
    // Prepare
    const group = sampleGroup({ attributes: { application: histogram } });

    // Act
    const rendered = renderTemplate('$application', group);

    // Assess
    expect(rendered).toBe(expected);
  });

  it('prefers an attribute over the built-in of the same name', () => {
    // Prepare
    const group = sampleGroup({ attributes: { application: [['game.exe', 9]] } });

    // Act
    const rendered = renderTemplate('$application', group);

    // Assess
    expect(rendered).toBe('game.exe');
  });

  it('shows only the top five frames in $callstack', () => {
    // Prepare
    const group = sampleGroup({ callstack: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'main'] });

    // Act
    const rendered = renderTemplate('$callstack', group);

    // Assess
    expect(rendered).toBe('f1 < f2 < f3 < f4 < f5');
  });

  it('renders built-ins the group lacks as empty', () => {
    // Prepare
    const group = sampleGroup({ application: undefined, timestamp: undefined, callstack: undefined });

    // Act
    const rendered = renderTemplate('[$application][$first_seen][$callstack]', group);

    // Assess
    expect(rendered).toBe('[][][]');
  });
});

describe('Function: renderTemplateParts', () => {
  it.each([
    ['comma-separated parts', '$environment,linux', ['production', 'linux']],
    ['parts trimmed and empty ones dropped', ' backtrace , , $nothere,$version ,', ['backtrace', '1.1.0']],
    ['one part per classifier for a lone $classifiers', 'crash, $classifiers', ['crash', 'exception', 'segv']],
    ['classifiers joined inside a longer part', 'kind: $classifiers', ['kind: exception, segv']],
    ['an attribute value with a comma kept whole', '$memory', ['1,024 MB']],
    ['a single part without commas', 'Version $version', ['Version 1.1.0']],
    ['nothing for an empty template', '', []],
  ])('renders %s', (_case, template, expected) => {
    // Prepare
    const group = sampleGroup({
      classifiers: ['exception', 'segv'],
      attributes: { ...sampleGroup().attributes, memory: [['1,024 MB', 2]] },
    });

    // Act
    const parts = renderTemplateParts(template, group);

    // Assess
    expect(parts).toEqual(expected);
  });
});

describe('Function: templateReferences', () => {
  it('lists the referenced names once, in order', () => {
    // Act
    const names = templateReferences('$a ${b.c} $$d $a. ${e-f}');

    // Assess
    expect(names).toEqual(['a', 'b.c', 'e-f']);
  });
});
