// Token usage and cost of agent runs, in the Messages API's own field names so the JSON we print reads like
// what Claude Code reports.

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export const USAGE_FIELDS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens'] as const;

export function emptyUsage(): TokenUsage {
  return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
}

/** The four counters of a usage object from the stream; missing or malformed fields count as 0. */
export function usageFrom(raw: unknown): TokenUsage {
  const usage = emptyUsage();
  if (!raw || typeof raw !== 'object') return usage;
  for (const field of USAGE_FIELDS) {
    const value = (raw as Record<string, unknown>)[field];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) usage[field] = value;
  }
  return usage;
}

export function addUsage(a: TokenUsage, b: TokenUsage | undefined): TokenUsage {
  if (!b) return { ...a };
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_input_tokens: a.cache_read_input_tokens + b.cache_read_input_tokens,
    cache_creation_input_tokens: a.cache_creation_input_tokens + b.cache_creation_input_tokens,
  };
}

export function totalTokens(usage: TokenUsage): number {
  return usage.input_tokens + usage.output_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens;
}

// US dollars per million tokens (Anthropic's list prices). Claude Code reports the exact cost in its result;
// these only estimate the cost of a run stopped before that result, so it is never lost.
const PRICES: { match: RegExp; input: number; output: number }[] = [
  { match: /opus-4-[5-9]|opus-[5-9]/, input: 5, output: 25 },
  { match: /opus/, input: 15, output: 75 },
  { match: /haiku-4|haiku-[5-9]/, input: 1, output: 5 },
  { match: /haiku/, input: 0.8, output: 4 },
  { match: /sonnet|claude/, input: 3, output: 15 },
];
const CACHE_WRITE_FACTOR = 1.25;
const CACHE_READ_FACTOR = 0.1;

/** The list-price cost of `usage` on `model`; undefined for a model we have no price for. */
export function estimateCostUsd(model: string | undefined, usage: TokenUsage): number | undefined {
  const price = model ? PRICES.find((p) => p.match.test(model.toLowerCase())) : undefined;
  if (!price) return undefined;
  const input = usage.input_tokens + usage.cache_creation_input_tokens * CACHE_WRITE_FACTOR + usage.cache_read_input_tokens * CACHE_READ_FACTOR;
  return (input * price.input + usage.output_tokens * price.output) / 1_000_000;
}
