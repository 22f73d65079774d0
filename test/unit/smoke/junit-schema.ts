/**
 * A strict XML reader and a structural check of the JUnit schema CI systems read: Surefire's
 * format as the Jenkins xUnit plugin pins it in `junit-10.xsd` (GitHub/GitLab/CircleCI reporters
 * accept the same). Written here instead of an XSD validator dependency: the npm validators
 * need native libxml2 builds or a network fetch, and these rules are small enough to state.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** Concatenated character data directly inside this element. */
  readonly text: string;
}

// eslint-disable-next-line no-control-regex
const INVALID_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const NAME = /^[A-Za-z_:][A-Za-z0-9._:-]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(src: string): XmlElement {
  if (INVALID_CHAR.test(src)) throw new Error('character not allowed in XML 1.0');
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i}: ${JSON.stringify(src.slice(i, i + 30))}`);
  };
  const decode = (raw: string): string => {
    if (/&(?!(#\d+|#x[0-9a-fA-F]+|[a-z]+);)/.test(raw)) fail('bare &');
    return raw.replace(/&(#\d+|#x[0-9a-fA-F]+|[a-z]+);/g, (_, ref: string) => {
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
      const v = ENTITIES[ref];
      return v ?? fail(`unknown entity &${ref};`);
    });
  };
  const skipMisc = (): void => {
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i));
      i += ws?.[0].length ?? 0;
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
      } else if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) fail('unclosed processing instruction');
        i = end + 2;
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== '<') fail('expected <');
    i++;
    const name = NAME.exec(src.slice(i))?.[0] ?? fail('expected an element name');
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))?.[0] ?? '';
      i += ws.length;
      if (src.startsWith('/>', i)) {
        i += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (ws === '') fail('expected whitespace before an attribute');
      const an = NAME.exec(src.slice(i))?.[0] ?? fail('expected an attribute name');
      i += an.length;
      const m = /^\s*=\s*(["'])/.exec(src.slice(i)) ?? fail('expected ="..."');
      i += m[0].length;
      const end = src.indexOf(m[1] ?? '"', i);
      if (end < 0) fail('unclosed attribute value');
      const raw = src.slice(i, end);
      if (raw.includes('<')) fail('< in an attribute value');
      if (an in attrs) fail(`duplicate attribute ${an}`);
      attrs[an] = decode(raw);
      i = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (i >= src.length) fail(`unclosed <${name}>`);
      if (src.startsWith('</', i)) {
        i += 2;
        if (!src.startsWith(name, i)) fail(`mismatched </…> for <${name}>`);
        i += name.length;
        const close = /^\s*>/.exec(src.slice(i)) ?? fail('expected >');
        i += close[0].length;
        return { name, attrs, children, text };
      }
      if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i);
        if (end < 0) fail('unclosed CDATA');
        text += src.slice(i + 9, end);
        i = end + 3;
      } else if (src.startsWith('<!--', i) || src.startsWith('<?', i)) skipMisc();
      else if (src[i] === '<') children.push(element());
      else {
        const next = src.indexOf('<', i);
        const raw = src.slice(i, next < 0 ? src.length : next);
        if (raw.includes(']]>')) fail(']]> in text');
        text += decode(raw);
        i += raw.length;
      }
    }
  };
  if (src.startsWith('<?xml') && !/^<\?xml version="1\.0"( encoding="UTF-8")?\?>/.test(src))
    fail('bad declaration');
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== src.length) fail('content after the root element');
  return root;
}

const SUREFIRE_TIME = /^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$/;
interface Rule {
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** undefined: text only (no child elements). */
  readonly children?: readonly string[];
  readonly mixed: boolean;
  readonly timeAttr?: boolean;
}
const RESULT: Rule = { required: [], optional: ['type', 'message'], mixed: true };
const RULES: Record<string, Rule> = {
  testsuites: {
    required: [],
    optional: ['name', 'time', 'tests', 'failures', 'errors', 'skipped', 'disabled', 'timestamp'],
    children: ['testsuite'],
    mixed: false,
    timeAttr: true,
  },
  testsuite: {
    required: ['name', 'tests', 'failures', 'errors'],
    optional: ['group', 'time', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url'],
    children: ['testsuite', 'properties', 'testcase', 'system-out', 'system-err'],
    mixed: false,
    timeAttr: true,
  },
  properties: { required: [], optional: [], children: ['property'], mixed: false },
  property: { required: ['name', 'value'], optional: [], children: [], mixed: false },
  testcase: {
    required: ['name'],
    optional: ['time', 'classname', 'group'],
    children: ['skipped', 'error', 'failure', 'system-out', 'system-err'],
    mixed: false,
  },
  failure: RESULT,
  error: RESULT,
  skipped: RESULT,
  'system-out': { required: [], optional: [], mixed: true },
  'system-err': { required: [], optional: [], mixed: true },
};

/** Every way `doc` breaks the schema (empty: valid), plus count checks CI summaries rely on. */
export function junitProblems(doc: XmlElement): string[] {
  const problems: string[] = [];
  if (doc.name !== 'testsuites' && doc.name !== 'testsuite') problems.push(`root is <${doc.name}>`);
  const walk = (el: XmlElement, path: string): void => {
    const rule = RULES[el.name];
    if (!rule) {
      problems.push(`${path}: unknown element`);
      return;
    }
    for (const a of rule.required) if (!(a in el.attrs)) problems.push(`${path}: missing @${a}`);
    for (const a of Object.keys(el.attrs))
      if (!rule.required.includes(a) && !rule.optional.includes(a))
        problems.push(`${path}: unexpected @${a}`);
    if (rule.timeAttr && el.attrs['time'] !== undefined && !SUREFIRE_TIME.test(el.attrs['time']))
      problems.push(`${path}: @time "${el.attrs['time']}" is not a Surefire time`);
    if (!rule.mixed && el.text.trim() !== '') problems.push(`${path}: text not allowed`);
    const allowed = rule.children ?? [];
    for (const c of el.children) {
      if (!allowed.includes(c.name)) problems.push(`${path}: <${c.name}> not allowed here`);
      walk(c, `${path}/${c.name}`);
    }
  };
  walk(doc, doc.name);
  const suites = doc.name === 'testsuite' ? [doc] : doc.children.filter((c) => c.name === 'testsuite');
  for (const s of suites) {
    const cases = s.children.filter((c) => c.name === 'testcase');
    const count = (n: string): number => cases.filter((c) => c.children.some((x) => x.name === n)).length;
    if (s.attrs['tests'] !== String(cases.length))
      problems.push(`@tests ${s.attrs['tests']} ≠ ${cases.length} testcases`);
    if (s.attrs['failures'] !== String(count('failure')))
      problems.push(`@failures ${s.attrs['failures']} ≠ ${count('failure')}`);
    if (s.attrs['skipped'] !== undefined && s.attrs['skipped'] !== String(count('skipped')))
      problems.push(`@skipped ${s.attrs['skipped']} ≠ ${count('skipped')}`);
  }
  return problems;
}
