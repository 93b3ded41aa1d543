import { describe, expect, it } from 'vitest';
import { JIRA_TEXT_FIELD_LIMIT, renderDescription, type DescriptionDisplay } from '../../shared/domain/issue-description.ts';
import { sampleGroup } from './domain-factories.ts';

const showAll: DescriptionDisplay = { classifiers: true, callstack: true, attributes: true, attributeList: [] };

/** The first {noformat} block's lines. */
function callstackLines(description: string): string[] {
  const match = /\{noformat\}\n([\s\S]*?)\n\{noformat\}/.exec(description);
  return match === null ? [] : match[1].split('\n');
}

function tableRows(description: string): string[] {
  return description.split('\n').filter((line) => line.startsWith('|') && !line.startsWith('||'));
}

describe('Function: renderDescription', () => {
  it('renders the sample group like Backtrace: facts, link, callstack and attributes', () => {
    // Prepare
    const group = sampleGroup();

    // Act
    const description = renderDescription(group, showAll);

    // Assess
    expect(description).toBe(
      [
        'h3. Backtrace error group',
        '*Classifiers:* exception',
        '*Application:* my_app.exe',
        '*Project:* my_universe / my_project',
        '*Fingerprint:* 8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40',
        '*Occurrences:* 35',
        '*First seen:* 2017-08-17T07:12:06Z',
        '*Last seen:* 2017-08-17T07:13:19Z',
        `[View in Backtrace|${group.group_url}]`,
        '',
        'h4. Callstack',
        '{noformat}',
        'printf',
        'my_fn',
        'main',
        '{noformat}',
        '',
        'h4. Attributes',
        '||Attribute||Value (count)||',
        '|version|1.1.0 (24), 1.2.3 (10), 1.2.2 (1)|',
        '|environment|production (33), staging (1), devel (1)|',
      ].join('\n'),
    );
  });

  it.each([
    ['classifiers off', { classifiers: false }, { classifiers: false, callstack: true, attributes: true }],
    ['callstack off', { callstack: false }, { classifiers: true, callstack: false, attributes: true }],
    ['attributes off', { attributes: false }, { classifiers: true, callstack: true, attributes: false }],
    ['everything off', { classifiers: false, callstack: false, attributes: false }, { classifiers: false, callstack: false, attributes: false }],
  ])('follows the display toggles: %s', (_case, toggles, shown) => {
    // Prepare
    const display = { ...showAll, ...toggles };

    // Act
    const description = renderDescription(sampleGroup(), display);

    // Assess
    expect(description.includes('*Classifiers:*')).toBe(shown.classifiers);
    expect(description.includes('h4. Callstack')).toBe(shown.callstack);
    expect(description.includes('||Attribute||Value (count)||')).toBe(shown.attributes);
    expect(description).toContain('*Fingerprint:* 8910551e27a3');
    expect(description).toContain('[View in Backtrace|https://my_universe.sp.backtrace.io/');
  });

  it('shows only the attributes of the attribute list, in its order', () => {
    // Prepare
    const group = sampleGroup({ attributes: { ...sampleGroup().attributes, hostname: [['web-1', 2]] } });
    const display = { ...showAll, attributeList: ['hostname', 'missing', 'version'] };

    // Act
    const description = renderDescription(group, display);

    // Assess
    expect(tableRows(description)).toEqual(['|hostname|web-1 (2)|', '|version|1.1.0 (24), 1.2.3 (10), 1.2.2 (1)|']);
  });

  it('shows at most N values per attribute, highest count first', () => {
    // Prepare
    const group = sampleGroup({ attributes: { os: [['a', 1], ['b', 5], ['c', 3], ['d', 5], ['e', 2], ['f', 4]] } });

    // Act
    const description = renderDescription(group, showAll, { maxValuesPerAttribute: 3 });

    // Assess
    expect(tableRows(description)).toEqual(['|os|b (5), d (5), f (4), and 3 more|']);
  });

  it('escapes everything that comes from the group', () => {
    // Prepare
    const group = sampleGroup({
      application: '*evil* [link|http://x]',
      classifiers: ['{color:red}'],
      callstack: ['f<T>() {noformat}', 'main'],
      attributes: { 'a|b': [['x|y\nz', 1], [null, 1]] },
    });

    // Act
    const description = renderDescription(group, showAll);

    // Assess
    expect(description).toContain('*Application:* \\*evil* \\[link\\|http://x\\]');
    expect(description).toContain('*Classifiers:* \\{color:red\\}');
    expect(callstackLines(description)).toEqual(['f<T>() {\u200Bnoformat}', 'main']);
    expect(tableRows(description)).toEqual(['|a\\|b|x\\|y \\\\ z (1), (no value) (1)|']);
  });

  it('leaves out what the group does not carry', () => {
    // Prepare
    const group = sampleGroup({
      application: undefined, occurrences: undefined, timestamp: undefined, group_url: undefined,
      callstack: undefined, attributes: undefined, classifiers: undefined,
    });

    // Act
    const description = renderDescription(group, showAll);

    // Assess
    expect(description).toBe(
      'h3. Backtrace error group\n*Project:* my_universe / my_project\n*Fingerprint:* 8910551e27a339e542c3b6a5e61d18d67ff4fd8b8f9c1a1a9f0e8b1c6d2f3a40',
    );
  });

  it('does not link a group URL that is not http(s)', () => {
    // Prepare
    const group = sampleGroup({ group_url: 'javascript:alert(1)' });

    // Act
    const description = renderDescription(group, showAll);

    // Assess
    expect(description).not.toContain('View in Backtrace');
  });

  describe('within the 32,767 character limit', () => {
    const hugeCallstack = Array.from({ length: 5_000 }, (_, i) => `frame_${i} (module_${i}.so + 0x${i.toString(16)})`);
    const hugeAttributes = Object.fromEntries(
      Array.from({ length: 3_000 }, (_, i) => [`attr_${i}`, [[`*value* [${i}] | ${'x'.repeat(40)}`, i]]]),
    );

    it.each([
      ['a huge callstack', { callstack: hugeCallstack }, { frames: true, rows: false }],
      ['a huge attribute set', { attributes: hugeAttributes }, { frames: false, rows: true }],
      ['both', { callstack: hugeCallstack, attributes: hugeAttributes }, { frames: true, rows: true }],
    ])('cuts %s cleanly at whole lines with a truncation note', (_case, overrides, cut) => {
      // Prepare
      const group = sampleGroup(overrides);

      // Act
      const description = renderDescription(group, showAll);

      // Assess
      expect(description.length).toBeLessThanOrEqual(JIRA_TEXT_FIELD_LIMIT);
      expect(description.length).toBeGreaterThan(JIRA_TEXT_FIELD_LIMIT - 2_000);
      const frames = callstackLines(description);
      if (cut.frames) {
        expect(frames.at(-1)).toMatch(/^… truncated: \d+ more frames$/);
        const kept = frames.slice(0, -1);
        expect(kept).toEqual(hugeCallstack.slice(0, kept.length));
        expect(Number(/(\d+) more/.exec(frames.at(-1)!)![1])).toBe(hugeCallstack.length - kept.length);
      } else {
        expect(frames).toEqual(['printf', 'my_fn', 'main']);
      }
      const rows = tableRows(description);
      if (cut.rows) {
        expect(rows.length).toBeGreaterThan(10);
        for (const row of rows) expect(row).toMatch(/^\|attr_\d+\|\\\*value\* \\\[\d+\\\] \\\| x{40} \(\d+\)\|$/);
        expect(description).toMatch(new RegExp(`\\n\\n… truncated: ${3_000 - rows.length} more attributes, see Backtrace$`));
      }
    });

    it('keeps a description that fits exactly, and cuts one that is a character longer', () => {
      // Prepare
      const group = sampleGroup({ callstack: ['a', 'b', 'c', 'd'] });
      const full = renderDescription(group, showAll);

      // Act
      const exact = renderDescription(group, showAll, { maxLength: full.length });
      const shorter = renderDescription(group, showAll, { maxLength: full.length - 1 });

      // Assess
      expect(exact).toBe(full);
      expect(shorter.length).toBeLessThan(full.length);
      expect(shorter).toContain('truncated');
    });

    it('never cuts inside an escape sequence', () => {
      // Prepare
      const group = sampleGroup({
        attributes: Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`a${i}`, [['\\'.repeat(50) + '[]|{}', 1]]])),
      });

      // Act
      const description = renderDescription(group, showAll);

      // Assess
      expect(description.length).toBeLessThanOrEqual(JIRA_TEXT_FIELD_LIMIT);
      const rows = tableRows(description);
      expect(rows.length).toBeGreaterThan(10);
      for (const row of rows) expect(row).toMatch(/^\|a\d+\|(&#92;){50}\\\[\\\]\\\|\\\{\\\} \(1\)\|$/);
    });
  });
});
