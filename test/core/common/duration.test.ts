import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDurationText } from '../../../src/core/common/duration';

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

describe('parseDurationText', () => {
  it('reads a whole number with one unit, in either case and with spaces around', () => {
    assert.equal(parseDurationText('90s'), 90_000);
    assert.equal(parseDurationText('30m'), 1_800_000);
    assert.equal(parseDurationText(' 1H '), 3_600_000);
    assert.equal(parseDurationText('2d'), 172_800_000);
    assert.equal(parseDurationText('1w'), 604_800_000);
  });

  it('refuses anything else rather than guessing a unit', () => {
    for (const text of ['', '1', 'h', '1.5h', '-1h', '1h30m', 'yesterday', '1y', '1234567h']) assert.equal(parseDurationText(text), undefined, text);
  });
});
