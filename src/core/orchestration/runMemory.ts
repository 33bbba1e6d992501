// What the engine needs from the memory service to let agents learn from the past. The memory area
// implements it; the engine works without it.

export interface MemoryHint {
  id: string;
  content: string;
  /** e.g. 'team_standard', 'pattern', 'error_solution', 'project'. */
  category: string;
}

export interface StepOutcome {
  runId: string;
  workflow: string;
  step: string;
  agentType: string;
  task: string;
  status: 'succeeded' | 'failed' | 'timed_out';
  /** The output tail of a success. */
  output?: string;
  /** The error text of a failure. */
  error?: string;
}

export interface RunMemory {
  /** The memories most relevant to a task, best first, whose content fits in `tokenBudget`. */
  relevantFor(task: string, agentType: string, tokenBudget: number): Promise<MemoryHint[]>;
  /** Told how every step ended; the memory service keeps failures as error memories. */
  recordOutcome(outcome: StepOutcome): Promise<void>;
}

export const MAX_MEMORY_HINTS = 5;
export const DEFAULT_MEMORY_TOKEN_BUDGET = 1000;

/** A rough token count (4 characters a token), enough to keep hints inside a budget. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** The top hints that fit the budget together, in the order given. */
export function fitHints(hints: readonly MemoryHint[], tokenBudget: number): MemoryHint[] {
  const chosen: MemoryHint[] = [];
  let used = 0;
  for (const hint of hints) {
    if (chosen.length >= MAX_MEMORY_HINTS) break;
    const cost = estimateTokens(hint.content);
    if (used + cost > tokenBudget) continue;
    chosen.push(hint);
    used += cost;
  }
  return chosen;
}

/** The prompt section that tells the agent what the project already knows. */
export function memoryPromptSection(hints: readonly MemoryHint[]): string {
  if (hints.length === 0) return '';
  return `\n\nRelevant project memory (from earlier work):\n${hints.map((h) => `- [${h.category}] ${h.content}`).join('\n')}`;
}
