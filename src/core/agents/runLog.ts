import { formatDuration } from '../common/duration';
import type { RunEvent, RunResult } from './runner';

// How a run reads in a log: every line labelled with its agent, tool calls and results on one line each.

const MAX_DETAIL = 300;

export function formatRunEvent(label: string, event: RunEvent): string[] {
  const prefix = `[${label}]`;
  switch (event.kind) {
    case 'text':
    case 'stdout':
      return event.text.split(/\r?\n/).map((line) => `${prefix} ${line}`);
    case 'stderr':
      return [`${prefix} stderr: ${event.text}`];
    case 'tool_use':
      return [`${prefix} → ${event.name} ${clip(JSON.stringify(event.input) ?? '')}`];
    case 'tool_result':
      return [`${prefix} ← ${event.isError ? 'error' : 'ok'}: ${clip(event.text.split(/\r?\n/)[0] ?? '')}`];
    case 'status':
      return [`${prefix} · ${event.message}`];
  }
}

/** One line: status, time, turns, cost, session; then the reason when it did not succeed. */
export function summarizeRun(label: string, result: RunResult): string[] {
  const parts = [`${result.status} in ${formatDuration(result.durationMs)}`];
  if (result.turns !== undefined) parts.push(`${result.turns} turn${result.turns === 1 ? '' : 's'}`);
  if (result.costUsd !== undefined) parts.push(`$${result.costUsd.toFixed(4)}`);
  if (result.sessionId) parts.push(`session ${result.sessionId}`);
  if (result.exitCode !== null && result.status !== 'succeeded') parts.push(`exit code ${result.exitCode}`);
  const lines = [`[${label}] ${parts.join(' · ')}`];
  if (result.permissionDenials?.length) lines.push(`[${label}] permission denied for: ${result.permissionDenials.map((d) => d.toolName).join(', ')}`);
  if (result.error) lines.push(`[${label}] ${result.error}`);
  if (result.status !== 'succeeded' && result.stderrTail) lines.push(`[${label}] stderr tail:`, ...result.stderrTail.trimEnd().split('\n').map((l) => `[${label}]   ${l}`));
  return lines;
}

function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}…` : text;
}
