import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countOf } from '../../../src/core/common/plural';

describe('countOf', () => {
  it('uses the singular for one and the plural for every other count', () => {
    assert.equal(countOf(1, 'file'), '1 file');
    assert.equal(countOf(0, 'file'), '0 files');
    assert.equal(countOf(3, 'copy', 'copies'), '3 copies');
  });
});
