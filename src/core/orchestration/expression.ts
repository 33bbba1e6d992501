// The safe condition language of conditional workflows and step conditions, e.g.
//   branch == 'main' && !(pull_request == true) || steps.test.status != "failed"
// Hand-written tokenizer, recursive-descent parser and evaluator: no eval, no Function, no property
// access beyond plain data, so a workflow file can never run code.

export type Value = string | number | boolean | null;

export type Expr =
  | { kind: 'literal'; value: Value }
  | { kind: 'variable'; path: string[] }
  | { kind: 'not'; operand: Expr }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr };

type BinaryOp = '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A syntax error with the 1-based column where it was found. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${message} at column ${column}`);
    this.name = 'ExpressionError';
  }
}

type Token =
  | { type: 'op'; op: BinaryOp | '!' | '(' | ')'; pos: number }
  | { type: 'literal'; value: Value; pos: number }
  | { type: 'ident'; path: string[]; pos: number }
  | { type: 'end'; pos: number };

const MAX_LENGTH = 10_000;
const MAX_DEPTH = 100;
// Python spellings too, since the framework's examples write `pull_request == True`.
const KEYWORDS: Record<string, Value> = { true: true, false: false, null: null, True: true, False: false, None: null };
const WORD_OPS: Record<string, BinaryOp | '!'> = { and: '&&', or: '||', not: '!' };

function tokenize(source: string): Token[] {
  if (source.length > MAX_LENGTH) throw new ExpressionError(`expression longer than ${MAX_LENGTH} characters`, 1);
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '&&' || two === '||' || two === '==' || two === '!=' || two === '<=' || two === '>=') {
      tokens.push({ type: 'op', op: two, pos: i });
      i += 2;
    } else if (c === '!' || c === '(' || c === ')' || c === '<' || c === '>') {
      tokens.push({ type: 'op', op: c, pos: i });
      i++;
    } else if (c === "'" || c === '"') {
      const { value, end } = readString(source, i);
      tokens.push({ type: 'literal', value, pos: i });
      i = end;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const match = /^-?\d+(\.\d+)?/.exec(source.slice(i))!;
      tokens.push({ type: 'literal', value: Number(match[0]), pos: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*/.exec(source.slice(i))!;
      const word = match[0];
      if (Object.hasOwn(KEYWORDS, word)) tokens.push({ type: 'literal', value: KEYWORDS[word]!, pos: i });
      else if (Object.hasOwn(WORD_OPS, word)) tokens.push({ type: 'op', op: WORD_OPS[word]!, pos: i });
      else tokens.push({ type: 'ident', path: word.split('.'), pos: i });
      i += word.length;
    } else {
      throw new ExpressionError(`unexpected character '${c}'`, i + 1);
    }
  }
  tokens.push({ type: 'end', pos: source.length });
  return tokens;
}

function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source[i]!;
    if (c === quote) return { value, end: i + 1 };
    if (c === '\\' && i + 1 < source.length) {
      const next = source[i + 1]!;
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  throw new ExpressionError('unterminated string', start + 1);
}

/** Parses an expression; throws ExpressionError with the column of the first problem. */
export function parseExpression(source: string): Expr {
  const tokens = tokenize(source);
  let index = 0;
  let depth = 0;
  const peek = () => tokens[index]!;
  const isOp = (op: string) => {
    const t = peek();
    return t.type === 'op' && t.op === op;
  };
  const fail = (message: string): never => {
    throw new ExpressionError(message, peek().pos + 1);
  };

  const parseOr = (): Expr => {
    let left = parseAnd();
    while (isOp('||')) {
      index++;
      left = { kind: 'binary', op: '||', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Expr => {
    let left = parseComparison();
    while (isOp('&&')) {
      index++;
      left = { kind: 'binary', op: '&&', left, right: parseComparison() };
    }
    return left;
  };
  const parseComparison = (): Expr => {
    const left = parseUnary();
    const t = peek();
    if (t.type === 'op' && (t.op === '==' || t.op === '!=' || t.op === '<' || t.op === '<=' || t.op === '>' || t.op === '>=')) {
      index++;
      return { kind: 'binary', op: t.op, left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): Expr => {
    if (isOp('!')) {
      index++;
      return nested(() => ({ kind: 'not', operand: parseUnary() }));
    }
    return parsePrimary();
  };
  const parsePrimary = (): Expr => {
    const t = peek();
    if (t.type === 'literal') {
      index++;
      return { kind: 'literal', value: t.value };
    }
    if (t.type === 'ident') {
      index++;
      return { kind: 'variable', path: t.path };
    }
    if (isOp('(')) {
      index++;
      const inner = nested(parseOr);
      if (!isOp(')')) fail("expected ')'");
      index++;
      return inner;
    }
    return fail(t.type === 'end' ? 'unexpected end of expression' : 'expected a value, a variable or (');
  };
  const nested = (parse: () => Expr): Expr => {
    if (++depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    const result = parse();
    depth--;
    return result;
  };

  const expr = parseOr();
  if (peek().type !== 'end') fail('unexpected token');
  return expr;
}

/** Evaluates a parsed expression against a context; unknown variables are null, never an error. */
export function evaluateExpression(expr: Expr, context: Readonly<Record<string, unknown>>): Value {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'variable':
      return lookup(context, expr.path);
    case 'not':
      return !truthy(evaluateExpression(expr.operand, context));
    case 'binary': {
      if (expr.op === '&&') return truthy(evaluateExpression(expr.left, context)) && truthy(evaluateExpression(expr.right, context));
      if (expr.op === '||') return truthy(evaluateExpression(expr.left, context)) || truthy(evaluateExpression(expr.right, context));
      return compare(expr.op, evaluateExpression(expr.left, context), evaluateExpression(expr.right, context));
    }
  }
}

/** Parses and evaluates in one go, returning whether the condition holds. */
export function conditionHolds(source: string, context: Readonly<Record<string, unknown>>): boolean {
  return truthy(evaluateExpression(parseExpression(source), context));
}

function lookup(context: Readonly<Record<string, unknown>>, path: readonly string[]): Value {
  let node: unknown = context;
  for (const key of path) {
    // Own data properties only: `constructor`, `__proto__` and friends read as null.
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return null;
    node = (node as Record<string, unknown>)[key];
  }
  return toValue(node);
}

function toValue(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return null;
}

function truthy(value: Value): boolean {
  return value !== null && value !== false && value !== 0 && value !== '';
}

function compare(op: '==' | '!=' | '<' | '<=' | '>' | '>=', left: Value, right: Value): boolean {
  if (op === '==') return left === right;
  if (op === '!=') return left !== right;
  // Ordering only between two numbers or two strings; anything else is simply false.
  if (!((typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string'))) return false;
  if (op === '<') return left < right;
  if (op === '<=') return left <= right;
  if (op === '>') return left > right;
  return left >= right;
}
