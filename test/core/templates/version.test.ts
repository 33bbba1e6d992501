import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compareVersions, parseVersion } from '../../../src/core/templates/version';

const v = (s: string) => {
  const parsed = parseVersion(s);
  assert.ok(parsed, `${s} should parse`);
  return parsed;
};

describe('template versions', () => {
  it('parses the three real CLAUDE_MD_VERSION forms and semver FRAMEWORK_VERSIONs', () => {
    assert.deepEqual(v('4.5.1-008'), { raw: '4.5.1-008', form: 'semver-serial', parts: [4, 5, 1, 8] });
    assert.deepEqual(v('015-003'), { raw: '015-003', form: 'serial-pair', parts: [15, 3] });
    assert.deepEqual(v('016'), { raw: '016', form: 'serial', parts: [16, 0] });
    assert.deepEqual(v('1.4.7'), { raw: '1.4.7', form: 'semver', parts: [1, 4, 7] });
    assert.equal(parseVersion('{{FRAMEWORK_VERSION}}'), undefined);
    assert.equal(parseVersion('latest'), undefined);
    assert.equal(parseVersion(''), undefined);
  });

  it('compares numerically where string comparison would be wrong', () => {
    assert.ok(compareVersions(v('015-010'), v('015-009')) > 0);
    assert.ok(compareVersions(v('4.10.0-001'), v('4.9.0-001')) > 0);
    assert.ok(compareVersions(v('100'), v('99')) > 0);
    assert.ok(compareVersions(v('016'), v('015-003')) > 0);
    assert.ok(compareVersions(v('016-001'), v('016')) > 0);
    assert.equal(compareVersions(v('016'), v('16')), 0);
    assert.equal(compareVersions(v('016-000'), v('016')), 0);
  });

  it('orders the pre-reset v4.x numbering below the NNN serials', () => {
    assert.ok(compareVersions(v('4.5.1-008'), v('014-005')) < 0);
    assert.ok(compareVersions(v('1.4.7'), v('016')) < 0);
  });

  it('is a consistent order (antisymmetric, reflexive) over generated versions', () => {
    const serial = fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0'));
    const version = fc.oneof(
      serial,
      fc.tuple(serial, serial).map(([a, b]) => `${a}-${b}`),
      fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20), serial).map(([a, b, c, d]) => `${a}.${b}.${c}-${d}`),
    );
    fc.assert(
      fc.property(version, version, (a, b) => {
        const [pa, pb] = [v(a), v(b)];
        // `+ 0` folds -0 into 0: strict equality tells them apart.
        assert.equal(Math.sign(compareVersions(pa, pb)) + 0, -Math.sign(compareVersions(pb, pa)) + 0);
        assert.equal(compareVersions(pa, pa), 0);
      }),
    );
  });
});
