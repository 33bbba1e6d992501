import { statusWords, type RunState, type StepState } from '../src/core/orchestration/runRecord';
import { el } from './dom';

export type Tone = 'ok' | 'warn' | 'bad' | 'off' | 'live';

// Status is told by a glyph and words as well as colour, so it reads without colour too.
const LOOK: Record<RunState | StepState, [glyph: string, tone: Tone]> = {
  pending: ['○', 'off'],
  waiting: ['◷', 'off'],
  running: ['◐', 'live'],
  retrying: ['↻', 'warn'],
  succeeded: ['✓', 'ok'],
  completed_with_failures: ['⚠', 'warn'],
  failed: ['✕', 'bad'],
  timed_out: ['⧗', 'bad'],
  cancelled: ['⊘', 'off'],
  skipped: ['↷', 'off'],
  interrupted: ['⚠', 'warn'],
};

export function statusLook(status: RunState | StepState): { glyph: string; tone: Tone; words: string } {
  const [glyph, tone] = LOOK[status];
  return { glyph, tone, words: statusWords(status) };
}

/** `✓ succeeded` in the status's colour; the glyph is hidden from screen readers, which read the words. */
export function statusBadge(status: RunState | StepState): HTMLElement {
  const look = statusLook(status);
  return el('span', { class: `status status-${look.tone}` }, el('span', { 'aria-hidden': 'true' }, `${look.glyph} `), look.words);
}
