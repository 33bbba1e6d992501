import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { statusLabel } from '../../../src/core/tickets/status';

describe('statusLabel', () => {
  it('reads the documented states as words', () => {
    assert.equal(statusLabel('ready_for_engineering'), 'Ready for engineering');
    assert.equal(statusLabel('ready_for_qa'), 'Ready for QA');
    assert.equal(statusLabel('won_t_do'), "Won't do");
    assert.equal(statusLabel('in_progress'), 'In progress');
    assert.equal(statusLabel('In-Progress'), 'In progress');
    assert.equal(statusLabel('active'), 'Active');
  });

  it('never shows an underscore and never comes back empty for a non-empty status', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z_]{0,20}$/), (raw) => {
        const label = statusLabel(raw);
        assert.ok(!label.includes('_'), label);
        assert.ok(label.length > 0);
      }),
    );
  });
});
