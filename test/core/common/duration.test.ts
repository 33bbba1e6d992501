import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration } from '../../../src/core/common/duration';

describe('formatDuration', () => {
  it('shows milliseconds below a second, tenths below ten seconds and whole units above', () => {
    assert.equal(formatDuration(47), '47 ms');
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(999.6), '1 s');
    assert.equal(formatDuration(1_000), '1 s');
    assert.equal(formatDuration(1_500), '1.5 s');
    assert.equal(formatDuration(9_960), '10 s');
    assert.equal(formatDuration(12_400), '12 s');
    assert.equal(formatDuration(185_000), '3 m 05 s');
    assert.equal(formatDuration(3_720_000), '1 h 02 m');
  });
});
