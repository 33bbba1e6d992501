import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { conditionHolds, evaluateExpression, ExpressionError, parseExpression, type Expr, type Value } from '../../../src/core/orchestration/expression';

describe('condition expressions', () => {
  const ctx = { branch: 'main', pull_request: true, build: 3, steps: { test: { status: 'failed' } }, empty: '' };

  it('compares strings, numbers and booleans, with && || ! and parentheses', () => {
    assert.equal(conditionHolds("branch == 'main'", ctx), true);
    assert.equal(conditionHolds('branch == "develop"', ctx), false);
    assert.equal(conditionHolds('pull_request == True', ctx), true);
    assert.equal(conditionHolds("branch != 'main' || build >= 3", ctx), true);
    assert.equal(conditionHolds("!(branch == 'main') && pull_request", ctx), false);
    assert.equal(conditionHolds('build > 2 && build < 4 && build <= 3', ctx), true);
    assert.equal(conditionHolds("steps.test.status == 'failed'", ctx), true);
    assert.equal(conditionHolds('not pull_request or branch == "main" and build == 3', ctx), true);
  });

  it('binds && tighter than ||', () => {
    assert.equal(conditionHolds('true || false && false', {}), true);
    assert.equal(conditionHolds('(true || false) && false', {}), false);
  });

  it('reads unknown variables and prototype keys as null instead of reaching into objects', () => {
    assert.equal(evaluateExpression(parseExpression('missing.deep.path'), ctx), null);
    assert.equal(evaluateExpression(parseExpression('constructor'), ctx), null);
    assert.equal(evaluateExpression(parseExpression('__proto__'), ctx), null);
    assert.equal(evaluateExpression(parseExpression('steps.toString'), ctx), null);
    assert.equal(conditionHolds('missing == null', ctx), true);
    assert.equal(conditionHolds('empty', ctx), false);
  });

  it('does not order values of different types', () => {
    assert.equal(conditionHolds("build < 'z'", ctx), false);
    assert.equal(conditionHolds("'a' < 'b'", ctx), true);
  });

  it('reports syntax errors with their column', () => {
    const cases: [string, number][] = [
      ["branch == 'main", 11],
      ['a == ', 6],
      ['(a == 1', 8],
      ['a $ b', 3],
      ['a == 1)', 7],
    ];
    for (const [source, column] of cases) {
      assert.throws(
        () => parseExpression(source),
        (e: unknown) => e instanceof ExpressionError && e.column === column,
        source,
      );
    }
  });

  it('rejects pathological nesting and length cleanly', () => {
    assert.throws(() => parseExpression(`${'('.repeat(500)}a${')'.repeat(500)}`), ExpressionError);
    assert.throws(() => parseExpression('!'.repeat(500) + 'a'), ExpressionError);
    assert.throws(() => parseExpression('a'.repeat(20_000)), ExpressionError);
  });

  it('never throws anything but ExpressionError on arbitrary input', () => {
    const alphabet = fc.constantFrom(...'ab_.=!<>&|()\'" 0123-\\'.split(''), 'true', 'and', 'not', 'None');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((parts) => parts.join('')), (source) => {
        try {
          const expr = parseExpression(source);
          const value = evaluateExpression(expr, { a: 1, b: 'x' });
          assert.ok(value === null || ['string', 'number', 'boolean'].includes(typeof value));
        } catch (error) {
          assert.ok(error instanceof ExpressionError, String(error));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('parses what it prints and evaluates it the same way as the tree', () => {
    const literal = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -1000, max: 1000 }), fc.stringMatching(/^[a-z ]{0,6}$/)).map((value): Expr => ({ kind: 'literal', value }));
    const variable = fc.constantFrom('a', 'b', 'c.d', 'missing').map((name): Expr => ({ kind: 'variable', path: name.split('.') }));
    const { expr } = fc.letrec((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        literal,
        variable,
        tie('expr').map((operand): Expr => ({ kind: 'not', operand: operand as Expr })),
        fc.tuple(fc.constantFrom('&&', '||', '==', '!=', '<', '<=', '>', '>=' as const), tie('expr'), tie('expr')).map(([op, left, right]): Expr => ({ kind: 'binary', op, left: left as Expr, right: right as Expr })),
      ),
    }));
    const context = { a: 2, b: 'x', c: { d: true } };
    fc.assert(
      fc.property(expr, (tree) => {
        const printed = print(tree);
        assert.equal(evaluateExpression(parseExpression(printed), context), evaluateExpression(tree, context), printed);
      }),
      { numRuns: 1000 },
    );
  });
});

function print(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return printValue(expr.value);
    case 'variable':
      return expr.path.join('.');
    case 'not':
      return `!(${print(expr.operand)})`;
    case 'binary':
      return `(${print(expr.left)}) ${expr.op} (${print(expr.right)})`;
  }
}

function printValue(value: Value): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
