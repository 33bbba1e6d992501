import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import type { RunEvent } from './runner';
import { addUsage, emptyUsage, estimateCostUsd, usageFrom, type TokenUsage } from './usage';

// Claude Code's `--output-format stream-json` output: one JSON object a line (NDJSON). Fields are observed,
// not specified, so every schema is loose and an unknown `type` or subtype is carried along, never fatal.

/**
 * Splits a byte stream into lines. Chunks may end mid-line or mid-character; lines may be far longer than
 * a chunk (1 MiB and more). A line longer than `maxLineChars` is dropped and reported instead of growing
 * memory without bound.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private overflowed = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (length: number) => void = () => {},
    private readonly maxLineChars = 64 * 1024 * 1024,
  ) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      // The rest of an overflowed line is dropped with it.
      if (!this.overflowed) this.emit(this.pending + text.slice(start, newline));
      this.pending = '';
      this.overflowed = false;
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (this.overflowed) return;
    this.pending += text.slice(start);
    if (this.pending.length > this.maxLineChars) {
      this.onOverflow(this.pending.length);
      this.pending = '';
      this.overflowed = true;
    }
  }

  /** Flushes the last line when the stream ends without a newline. */
  end(): void {
    const rest = this.pending + this.decoder.end();
    this.pending = '';
    if (!this.overflowed && rest !== '') this.emit(rest);
    this.overflowed = false;
  }

  private emit(line: string): void {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.trim() !== '') this.onLine(trimmed);
  }
}

const contentBlockSchema = z.looseObject({ type: z.string() });
const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
const toolUseBlockSchema = z.looseObject({ type: z.literal('tool_use'), id: z.string().optional(), name: z.string(), input: z.unknown() });
const toolResultBlockSchema = z.looseObject({ type: z.literal('tool_result'), tool_use_id: z.string().optional(), content: z.unknown(), is_error: z.boolean().optional() });

const initSchema = z.looseObject({ type: z.literal('system'), subtype: z.literal('init'), session_id: z.string(), model: z.string().optional(), tools: z.array(z.string()).optional() });
const assistantSchema = z.looseObject({
  type: z.literal('assistant'),
  message: z.looseObject({ id: z.string().optional(), model: z.string().optional(), usage: z.unknown().optional(), content: z.array(contentBlockSchema) }),
  parent_tool_use_id: z.string().nullish(),
  session_id: z.string().optional(),
});
const userSchema = z.looseObject({
  type: z.literal('user'),
  message: z.looseObject({ content: z.union([z.string(), z.array(contentBlockSchema)]) }),
  parent_tool_use_id: z.string().nullish(),
});
const permissionDenialSchema = z.looseObject({ tool_name: z.string(), tool_use_id: z.string().optional(), tool_input: z.unknown().optional() });
const resultSchema = z.looseObject({
  type: z.literal('result'),
  subtype: z.string(),
  is_error: z.boolean().optional(),
  duration_ms: z.number().optional(),
  num_turns: z.number().optional(),
  result: z.string().optional(),
  session_id: z.string().optional(),
  total_cost_usd: z.number().optional(),
  usage: z.record(z.string(), z.unknown()).optional(),
  modelUsage: z.record(z.string(), z.unknown()).optional(),
  permission_denials: z.array(permissionDenialSchema).optional(),
  errors: z.array(z.unknown()).optional(),
});

export type StreamResult = z.infer<typeof resultSchema>;

/** A sub-agent the session started through the Task/Agent tool. */
export interface SubagentCall {
  toolUseId?: string;
  parentToolUseId?: string;
  subagentType?: string;
  description?: string;
}

/**
 * Folds stream-json messages into what a run reports: live events, the session id, the final result with
 * turns, cost, usage and permission denials, and the sub-agents started through the Task/Agent tool.
 */
export class StreamJsonState {
  sessionId?: string;
  model?: string;
  result?: StreamResult;
  readonly subagents: SubagentCall[] = [];
  /** Lines that were not JSON objects (kept few, for the failure report). */
  readonly invalidLines: string[] = [];
  unknownTypes = 0;
  /** The last text the assistant said, used when no result message arrives. */
  lastText = '';
  /** Every tool call, the sub-agents' included. */
  toolCalls = 0;
  /** Usage per API message (a message split over several lines repeats its usage), for runs stopped before their result. */
  private readonly messageUsage = new Map<string, TokenUsage>();

  constructor(private readonly onEvent: (event: RunEvent) => void = () => {}) {}

  /** Handles one NDJSON line; never throws. */
  acceptLine(line: string): void {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (this.invalidLines.length < 5) this.invalidLines.push(line.slice(0, 500));
      return;
    }
    if (!value || typeof value !== 'object') return;
    this.accept(value as Record<string, unknown>);
  }

  accept(message: Record<string, unknown>): void {
    switch (message.type) {
      case 'system':
        return this.acceptSystem(message);
      case 'assistant':
        return this.acceptAssistant(message);
      case 'user':
        return this.acceptUser(message);
      case 'result': {
        const parsed = resultSchema.safeParse(message);
        if (parsed.success) {
          this.result = parsed.data;
          this.sessionId ??= parsed.data.session_id;
        }
        return;
      }
      default:
        this.unknownTypes++;
    }
  }

  private acceptSystem(message: Record<string, unknown>): void {
    const init = initSchema.safeParse(message);
    if (init.success) {
      this.sessionId = init.data.session_id;
      this.model = init.data.model;
      this.onEvent({ kind: 'status', message: `session ${init.data.session_id} started${init.data.model ? ` (model ${init.data.model})` : ''}` });
      return;
    }
    // Other system messages (retries, task progress, hooks, compaction) are shown by subtype and any text they carry.
    if (typeof message.subtype !== 'string') return;
    const detail = [message.message, message.status, message.description].find((v) => typeof v === 'string');
    this.onEvent({ kind: 'status', message: detail ? `${message.subtype}: ${detail}` : message.subtype });
  }

  /** Tokens used so far: the result's total once it arrives, else the sum over the messages seen. */
  usage(): TokenUsage {
    if (this.result?.usage) return usageFrom(this.result.usage);
    let total = emptyUsage();
    for (const usage of this.messageUsage.values()) total = addUsage(total, usage);
    return total;
  }

  /** The cost Claude Code reported, or an estimate from list prices when the run stopped before its result. */
  cost(): { costUsd?: number; estimated: boolean } {
    if (this.result?.total_cost_usd !== undefined) return { costUsd: this.result.total_cost_usd, estimated: false };
    const costUsd = this.messageUsage.size ? estimateCostUsd(this.model, this.usage()) : undefined;
    return { costUsd, estimated: costUsd !== undefined };
  }

  private acceptAssistant(message: Record<string, unknown>): void {
    const parsed = assistantSchema.safeParse(message);
    if (!parsed.success) return;
    const { id, usage, model } = parsed.data.message;
    if (usage !== undefined) this.messageUsage.set(id ?? `#${this.messageUsage.size}`, usageFrom(usage));
    if (model && parsed.data.parent_tool_use_id == null) this.model ??= model;
    for (const block of parsed.data.message.content) {
      const text = textBlockSchema.safeParse(block);
      if (text.success) {
        if (parsed.data.parent_tool_use_id == null) this.lastText = text.data.text;
        this.onEvent({ kind: 'text', text: text.data.text });
        continue;
      }
      const tool = toolUseBlockSchema.safeParse(block);
      if (!tool.success) continue;
      this.toolCalls++;
      this.onEvent({ kind: 'tool_use', name: tool.data.name, input: tool.data.input, id: tool.data.id, parentId: parsed.data.parent_tool_use_id ?? undefined });
      if (tool.data.name === 'Task' || tool.data.name === 'Agent') {
        const input = (tool.data.input ?? {}) as Record<string, unknown>;
        const call: SubagentCall = {
          toolUseId: tool.data.id,
          parentToolUseId: parsed.data.parent_tool_use_id ?? undefined,
          subagentType: typeof input.subagent_type === 'string' ? input.subagent_type : undefined,
          description: typeof input.description === 'string' ? input.description : undefined,
        };
        this.subagents.push(call);
        this.onEvent({ kind: 'status', message: `sub-agent ${call.subagentType ?? 'general'} started${call.description ? `: ${call.description}` : ''}` });
      }
    }
  }

  private acceptUser(message: Record<string, unknown>): void {
    const parsed = userSchema.safeParse(message);
    if (!parsed.success || typeof parsed.data.message.content === 'string') return;
    for (const block of parsed.data.message.content) {
      const result = toolResultBlockSchema.safeParse(block);
      if (result.success) this.onEvent({ kind: 'tool_result', isError: result.data.is_error ?? false, text: toolResultText(result.data.content), toolUseId: result.data.tool_use_id });
    }
  }
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : ''))
      .filter(Boolean)
      .join('\n');
  }
  return content === undefined ? '' : JSON.stringify(content);
}
