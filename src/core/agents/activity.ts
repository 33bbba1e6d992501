import { formatDuration } from '../common/duration';
import type { RunEvent } from './runner';

// What an agent run is doing, live: its tool calls (tool, target, duration, outcome) and the sub-agents it started
// through the Task/Agent tool, each with its own calls, nested by `parent_tool_use_id`. Fed one event at a time from
// the stream; cheap enough per event that a view can follow thousands of calls.

export type CallOutcome = 'running' | 'ok' | 'error';

export interface ToolCall {
  id: string;
  tool: string;
  /** The file, command, pattern or URL the call works on. */
  target?: string;
  startedAt: number;
  endedAt?: number;
  outcome: CallOutcome;
  /** Set for a Task/Agent call: the sub-agent it started. */
  subagent?: Subagent;
}

export interface Subagent {
  type: string;
  description?: string;
  calls: ToolCall[];
  /** Calls by outcome, kept as they change so a summary never walks the calls. */
  counts: Record<CallOutcome, number>;
}

const TARGET_KEYS = ['file_path', 'notebook_path', 'path', 'command', 'pattern', 'url', 'query', 'description'] as const;
const MAX_TARGET = 120;

export class RunActivity {
  readonly calls: ToolCall[] = [];
  readonly counts: Record<CallOutcome, number> = { running: 0, ok: 0, error: 0 };
  lastEventAt: number;
  private readonly byId = new Map<string, { call: ToolCall; owner: Record<CallOutcome, number> }>();

  constructor(startedAt: number) {
    this.lastEventAt = startedAt;
  }

  accept(event: RunEvent, now: number): void {
    this.lastEventAt = now;
    if (event.kind === 'tool_use') this.started(event, now);
    else if (event.kind === 'tool_result' && event.toolUseId) this.ended(event.toolUseId, event.isError, now);
  }

  /** No event for `silenceMs` while the run goes on. */
  stalled(now: number, silenceMs: number): boolean {
    return now - this.lastEventAt >= silenceMs;
  }

  private started(event: Extract<RunEvent, { kind: 'tool_use' }>, now: number): void {
    const call: ToolCall = { id: event.id ?? `#${this.byId.size}`, tool: event.name, target: targetOf(event.input), startedAt: now, outcome: 'running' };
    if (event.name === 'Task' || event.name === 'Agent') {
      const input = (event.input ?? {}) as Record<string, unknown>;
      call.subagent = { type: typeof input.subagent_type === 'string' ? input.subagent_type : 'general-purpose', description: typeof input.description === 'string' ? input.description : undefined, calls: [], counts: { running: 0, ok: 0, error: 0 } };
    }
    const parent = event.parentId ? this.byId.get(event.parentId)?.call.subagent : undefined;
    const owner = parent ? parent.counts : this.counts;
    (parent ? parent.calls : this.calls).push(call);
    owner.running++;
    this.byId.set(call.id, { call, owner });
  }

  private ended(id: string, isError: boolean, now: number): void {
    const entry = this.byId.get(id);
    if (!entry || entry.call.outcome !== 'running') return;
    entry.call.outcome = isError ? 'error' : 'ok';
    entry.call.endedAt = now;
    entry.owner.running--;
    entry.owner[entry.call.outcome]++;
  }
}

/** `Read src/app.ts`, `Bash npm test`: what a call works on, from its input. */
function targetOf(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  for (const key of TARGET_KEYS) {
    const value = (input as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.trim()) {
      const line = value.trim().split('\n')[0]!;
      return line.length > MAX_TARGET ? `${line.slice(0, MAX_TARGET - 1)}…` : line;
    }
  }
  return undefined;
}

/** One line for a sub-agent: `qa: run the tests · 12 calls, 1 failed · 34 s`. */
export function subagentSummary(call: ToolCall, now: number): string {
  const sub = call.subagent!;
  const total = sub.counts.running + sub.counts.ok + sub.counts.error;
  const parts = [`${total} ${total === 1 ? 'call' : 'calls'}`];
  if (sub.counts.error) parts[0] += `, ${sub.counts.error} failed`;
  parts.push(formatDuration((call.endedAt ?? now) - call.startedAt));
  return `${sub.type}${sub.description ? `: ${sub.description}` : ''} · ${parts.join(' · ')}`;
}
