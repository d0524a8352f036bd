// A small evaluator for Airtable's filterByFormula: the subset the gateway and the tests send.
// Field references {Name}, 'text' / "text" literals, numbers, = and !=, AND(), OR(), NOT(),
// TRUE(), FALSE() and BLANK(). Anything else is rejected like Airtable rejects a bad formula.

export class FormulaError extends Error {}

type Value = string | number | boolean | null;
type Token =
  | { kind: 'field'; name: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'name'; value: string }
  | { kind: 'punct'; value: '(' | ')' | ',' | '=' | '!=' };

type Node =
  | { kind: 'field'; name: string }
  | { kind: 'literal'; value: Value }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'compare'; op: '=' | '!='; left: Node; right: Node };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '{') {
      const end = source.indexOf('}', i);
      if (end < 0) throw new FormulaError('unclosed field reference');
      tokens.push({ kind: 'field', name: source.slice(i + 1, end) });
      i = end + 1;
    } else if (ch === "'" || ch === '"') {
      let value = '';
      i++;
      while (i < source.length && source[i] !== ch) {
        if (source[i] === '\\') i++;
        value += source[i] ?? '';
        i++;
      }
      if (i >= source.length) throw new FormulaError('unclosed string');
      tokens.push({ kind: 'string', value });
      i++;
    } else if (/[0-9.]/.test(ch)) {
      const match = /^[0-9]*\.?[0-9]+/.exec(source.slice(i));
      if (!match) throw new FormulaError(`bad number at ${i}`);
      tokens.push({ kind: 'number', value: Number(match[0]) });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'name', value: match[0].toUpperCase() });
      i += match[0].length;
    } else if (source.startsWith('!=', i)) {
      tokens.push({ kind: 'punct', value: '!=' });
      i += 2;
    } else if (ch === '(' || ch === ')' || ch === ',' || ch === '=') {
      tokens.push({ kind: 'punct', value: ch });
      i++;
    } else {
      throw new FormulaError(`unexpected "${ch}" at ${i}`);
    }
  }
  return tokens;
}

function parse(source: string): Node {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = () => tokens[pos];
  const isPunct = (value: string) => {
    const token = peek();
    return token?.kind === 'punct' && token.value === value;
  };
  const expect = (value: string) => {
    if (!isPunct(value)) throw new FormulaError(`expected "${value}"`);
    pos++;
  };

  function comparison(): Node {
    const left = primary();
    const token = peek();
    if (token?.kind === 'punct' && (token.value === '=' || token.value === '!=')) {
      pos++;
      return { kind: 'compare', op: token.value, left, right: primary() };
    }
    return left;
  }

  function primary(): Node {
    const token = tokens[pos++];
    if (!token) throw new FormulaError('unexpected end of formula');
    switch (token.kind) {
      case 'field':
        return { kind: 'field', name: token.name };
      case 'string':
      case 'number':
        return { kind: 'literal', value: token.value };
      case 'name': {
        expect('(');
        const args: Node[] = [];
        while (!isPunct(')')) {
          args.push(comparison());
          if (!isPunct(')')) expect(',');
        }
        pos++;
        return { kind: 'call', fn: token.value, args };
      }
      case 'punct':
        if (token.value !== '(') throw new FormulaError(`unexpected "${token.value}"`);
        {
          const inner = comparison();
          expect(')');
          return inner;
        }
    }
  }

  const node = comparison();
  if (pos !== tokens.length) throw new FormulaError('unexpected text after the formula');
  return node;
}

const truthy = (value: Value): boolean => value !== null && value !== false && value !== '' && value !== 0;

/** Airtable compares an empty cell as '' (or 0) and coerces number/text the way a cell shows it. */
function equal(a: Value, b: Value): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  const text = (v: Value) => (v === null ? '' : v === true ? '1' : v === false ? '0' : String(v));
  return text(a) === text(b);
}

/** Compiles a formula to a predicate over a record's fields; throws FormulaError when invalid. */
export function compileFormula(source: string, knownFields: ReadonlySet<string>): (fields: Record<string, unknown>) => boolean {
  const root = parse(source);
  const check = (node: Node): void => {
    if (node.kind === 'field' && !knownFields.has(node.name)) throw new FormulaError(`unknown field name: {${node.name}}`);
    if (node.kind === 'call') node.args.forEach(check);
    if (node.kind === 'compare') [node.left, node.right].forEach(check);
  };
  check(root);

  const evaluate = (node: Node, fields: Record<string, unknown>): Value => {
    switch (node.kind) {
      case 'field': {
        const value = fields[node.name];
        return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
      }
      case 'literal':
        return node.value;
      case 'compare': {
        const same = equal(evaluate(node.left, fields), evaluate(node.right, fields));
        return node.op === '=' ? same : !same;
      }
      case 'call': {
        const args = node.args.map((arg) => evaluate(arg, fields));
        switch (node.fn) {
          case 'AND':
            return args.every(truthy);
          case 'OR':
            return args.some(truthy);
          case 'NOT':
            return !truthy(args[0] ?? null);
          case 'TRUE':
            return true;
          case 'FALSE':
            return false;
          case 'BLANK':
            return null;
          default:
            throw new FormulaError(`unsupported function ${node.fn}()`);
        }
      }
    }
  };
  // Resolve unsupported functions up front rather than on the first record.
  evaluate(root, {});
  return (fields) => truthy(evaluate(root, fields));
}
