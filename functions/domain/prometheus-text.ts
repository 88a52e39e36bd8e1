/**
 * The Prometheus text exposition format, version 0.0.4, for gauges: a small writer with no
 * dependency (docs/evidence/performance.md, "The metrics writer": prom-client's registry costs
 * the status function's cold start more than this module does). Pure: families in, text out.
 *
 * Per family, in order: `# HELP <name> <help>`, `# TYPE <name> gauge`, then one line per
 * sample, `<name>{<label>="<value>",...} <number>`; every line ends with `\n`. Label values
 * escape backslash, double quote and line feed (`\\`, `\"`, `\n`); help text escapes backslash
 * and line feed. Values are finite numbers written in JavaScript's shortest round-trip form
 * (`0.045`, `1765016400.123`, `1e-7`), which Prometheus parses as Go's ParseFloat does.
 */

/** The Content-Type of the text format (Prometheus's own exposition sends this exact value). */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One series: its label values, in the order of the family's label names, and its value. */
export interface Sample {
  readonly labelValues: readonly string[];
  readonly value: number;
}

export interface GaugeFamily {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly samples: readonly Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Label names: no leading `__` (reserved for Prometheus's own). */
const LABEL_NAME = /^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$/;

const LABEL_ESCAPES = /[\\"\n]/g;
const NEEDS_LABEL_ESCAPE = /[\\"\n]/;

/** A label value as the format quotes it: `\` -> `\\`, `"` -> `\"`, line feed -> `\n`. */
export const escapeLabelValue = (value: string): string =>
  // Most values (ids, regions, states) need nothing: one test instead of a replace.
  NEEDS_LABEL_ESCAPE.test(value)
    ? value.replace(LABEL_ESCAPES, (char) => (char === '\n' ? '\\n' : `\\${char}`))
    : value;

/** Help text as the format writes it: `\` -> `\\`, line feed -> `\n` (quotes stay). */
export const escapeHelp = (help: string): string =>
  help.replace(/[\\\n]/g, (char) => (char === '\n' ? '\\n' : '\\\\'));

/** A sample value: finite numbers only (NaN and the infinities are never exposed here). */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`a sample value must be finite: ${value}`);
  // String(-0) is "0".
  return String(value);
}

function checkFamily(family: GaugeFamily): void {
  if (!METRIC_NAME.test(family.name)) {
    throw new RangeError(`not a metric name: ${JSON.stringify(family.name)}`);
  }
  for (const label of family.labelNames) {
    if (!LABEL_NAME.test(label)) throw new RangeError(`not a label name: ${JSON.stringify(label)}`);
  }
  if (new Set(family.labelNames).size !== family.labelNames.length) {
    throw new RangeError(`${family.name}: a label name is repeated`);
  }
}

/**
 * The families as one text body: each family's lines together, in the order given. Built by
 * string concatenation with each family's label prefixes computed once (a line per series, tens
 * of thousands of them: no array or closure per line).
 */
export function writeTextFormat(families: readonly GaugeFamily[]): string {
  let text = '';
  for (const family of families) {
    checkFamily(family);
    const { name, labelNames } = family;
    text += `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} gauge\n`;
    // `name{a="`, `",b="`, ...: what goes before each label value.
    const before = labelNames.map((label, i) => `${i === 0 ? `${name}{` : '",'}${label}="`);
    const after = labelNames.length === 0 ? `${name} ` : '"} ';
    for (const sample of family.samples) {
      const values = sample.labelValues;
      if (values.length !== labelNames.length) {
        throw new RangeError(`${name}: ${labelNames.length} label values expected`);
      }
      let line = '';
      for (let i = 0; i < values.length; i++) {
        line += before[i] + escapeLabelValue(values[i] as string);
      }
      text += `${line}${after}${formatValue(sample.value)}\n`;
    }
  }
  return text;
}
