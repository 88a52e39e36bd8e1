/**
 * The Prometheus text writer (functions/domain/prometheus-text.ts): escaping of label values and
 * help text, value formatting, the families' lines, and refusals of what the format cannot say.
 * A text with every escape is checked by Prometheus's own parser (`promtool check metrics`), and
 * any label value round-trips through the format's unescaping.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeHelp,
  escapeLabelValue,
  formatValue,
  type GaugeFamily,
  PROMETHEUS_TEXT_CONTENT_TYPE,
  writeTextFormat,
} from '../../functions/domain/prometheus-text.ts';
import { checkMetrics, promtoolAvailability } from '../support/promtool.ts';

const promtool = promtoolAvailability();
const itPromtool = promtool.available ? it : it.skip;

/** The format's unescaping of a quoted label value (as Prometheus's parser reads it). */
const unquote = (escaped: string) =>
  escaped.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char));

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a\\b', 'a\\\\b'],
    ['say "hi"', 'say \\"hi\\"'],
    ['two\nlines', 'two\\nlines'],
    ['\\"\n', '\\\\\\"\\n'],
    ['\\n', '\\\\n'],
    ['tab\there, ünïcødé ✓, cr\r', 'tab\there, ünïcødé ✓, cr\r'],
  ])('%j -> %j', (value, escaped) => {
    expect(escapeLabelValue(value)).toBe(escaped);
  });

  it('round-trips any string through the format’s unescaping', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeLabelValue(value);
        // No bare quote or line feed is left to end the value or the line early.
        expect(escaped.replace(/\\./g, '')).not.toMatch(/["\n\\]/);
        expect(unquote(escaped)).toBe(value);
      }),
    );
  });
});

describe('escapeHelp', () => {
  it.each([
    ['plain help', 'plain help'],
    ['a\\b', 'a\\\\b'],
    ['two\nlines', 'two\\nlines'],
    // Quotes stay as they are in help text.
    ['say "hi"', 'say "hi"'],
    ['\\\n', '\\\\\\n'],
  ])('%j -> %j', (help, escaped) => {
    expect(escapeHelp(help)).toBe(escaped);
  });
});

describe('formatValue', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [-3, '-3'],
    [0.045, '0.045'],
    [1.234, '1.234'],
    [1765016400.123, '1765016400.123'],
    [1e-7, '1e-7'],
    [1e21, '1e+21'],
    [50_000, '50000'],
  ])('%d -> %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'refuses %d',
    (value) => {
      expect(() => formatValue(value)).toThrow(
        new RangeError(`a sample value must be finite: ${value}`),
      );
    },
  );

  it('writes what parses back to the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        expect(Number(formatValue(value))).toBe(value === 0 ? 0 : value);
      }),
    );
  });
});

const family = (overrides: Partial<GaugeFamily> = {}): GaugeFamily => ({
  name: 'bucket_status_node_up',
  help: 'Whether the node is ONLINE.',
  labelNames: ['bucket_id', 'node_id'],
  samples: [
    { labelValues: ['b1', 'n1'], value: 1 },
    { labelValues: ['b1', 'n2'], value: 0 },
  ],
  ...overrides,
});

describe('writeTextFormat', () => {
  it('writes HELP, TYPE gauge and one line per sample, each line ending with a line feed', () => {
    expect(writeTextFormat([family()])).toBe(
      '# HELP bucket_status_node_up Whether the node is ONLINE.\n' +
        '# TYPE bucket_status_node_up gauge\n' +
        'bucket_status_node_up{bucket_id="b1",node_id="n1"} 1\n' +
        'bucket_status_node_up{bucket_id="b1",node_id="n2"} 0\n',
    );
  });

  it('keeps the families in order, each one’s lines together; a family with no sample keeps its HELP and TYPE', () => {
    const text = writeTextFormat([
      family({ name: 'b_first', samples: [] }),
      family({
        name: 'a_second',
        help: 'x',
        labelNames: ['l'],
        samples: [{ labelValues: ['v'], value: 2 }],
      }),
    ]);
    expect(text).toBe(
      '# HELP b_first Whether the node is ONLINE.\n# TYPE b_first gauge\n' +
        '# HELP a_second x\n# TYPE a_second gauge\na_second{l="v"} 2\n',
    );
  });

  it('writes a sample without labels without braces', () => {
    expect(
      writeTextFormat([
        family({ name: 'up', labelNames: [], samples: [{ labelValues: [], value: 3 }] }),
      ]),
    ).toBe('# HELP up Whether the node is ONLINE.\n# TYPE up gauge\nup 3\n');
  });

  it('escapes label values and help text', () => {
    const text = writeTextFormat([
      family({
        help: 'back\\slash\nand "quotes"',
        labelNames: ['l'],
        samples: [{ labelValues: ['a"b\\c\nd'], value: 0.5 }],
      }),
    ]);
    expect(text).toBe(
      '# HELP bucket_status_node_up back\\\\slash\\nand "quotes"\n' +
        '# TYPE bucket_status_node_up gauge\n' +
        'bucket_status_node_up{l="a\\"b\\\\c\\nd"} 0.5\n',
    );
  });

  it('is empty for no family', () => {
    expect(writeTextFormat([])).toBe('');
  });

  it.each([
    [{ name: '1up' }, 'not a metric name: "1up"'],
    [{ name: 'has-dash' }, 'not a metric name: "has-dash"'],
    [{ name: '' }, 'not a metric name: ""'],
    [{ name: 'up ' }, 'not a metric name: "up "'],
    [{ labelNames: ['bucket_id', '__reserved'] }, 'not a label name: "__reserved"'],
    [{ labelNames: ['bucket_id', 'node:id'] }, 'not a label name: "node:id"'],
    [{ labelNames: ['9lives', 'x'] }, 'not a label name: "9lives"'],
    [{ labelNames: ['bucket_id', 'bucket_id'] }, 'bucket_status_node_up: a label name is repeated'],
    [
      { samples: [{ labelValues: ['b1'], value: 1 }] },
      'bucket_status_node_up: 2 label values expected',
    ],
    [
      { samples: [{ labelValues: ['b1', 'n1', 'x'], value: 1 }] },
      'bucket_status_node_up: 2 label values expected',
    ],
  ])('refuses %j', (overrides, message) => {
    expect(() => writeTextFormat([family(overrides)])).toThrow(new RangeError(message));
  });

  it('accepts the names the format allows', () => {
    expect(() =>
      writeTextFormat([family({ name: ':a_b:C9', labelNames: ['_x', 'A9_'] })]),
    ).not.toThrow();
  });

  it('its Content-Type is the text format 0.0.4 in UTF-8', () => {
    expect(PROMETHEUS_TEXT_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });

  itPromtool('promtool parses every escape and number it writes, with no warning', async () => {
    const text = writeTextFormat([
      {
        name: 'bucket_status_test_escapes',
        help: 'Help with a backslash \\ and a line\nfeed and "quotes".',
        labelNames: ['bucket_id', 'node_id', 'region'],
        samples: [
          { labelValues: ['a"b', 'c\\d', 'e\nf'], value: 0.045 },
          { labelValues: ['ünïcødé ✓', '', '\\"\n'], value: 1765016400.123 },
          { labelValues: ['x', 'y', 'z'], value: 1e-7 },
          { labelValues: ['x', 'y', 'w'], value: -2 },
        ],
      },
    ]);
    expect(await checkMetrics(text)).toEqual({ code: 0, output: '' });
  });
});
