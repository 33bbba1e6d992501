import { z } from 'zod';
import { Mem0Error, type Mem0Http } from './mem0Http';

/** A memory as both mem0 APIs return it (snake_case); our fields live in `metadata`. */
export const mem0MemorySchema = z
  .object({
    id: z.string(),
    memory: z.string().nullish(),
    metadata: z.record(z.string(), z.unknown()).nullish(),
    score: z.number().nullish(),
    created_at: z.string().nullish(),
    updated_at: z.string().nullish(),
  })
  .passthrough();
export type Mem0Memory = z.infer<typeof mem0MemorySchema>;

const resultsSchema = z.object({ results: z.array(mem0MemorySchema) }).passthrough();
const historySchema = z.array(
  z.object({ event: z.string(), created_at: z.string().nullish(), old_memory: z.string().nullish(), new_memory: z.string().nullish() }).passthrough(),
);
export type Mem0HistoryItem = z.infer<typeof historySchema>[number];

/** The operations we need, over either REST dialect. */
export interface Mem0Dialect {
  readonly kind: 'mem0' | 'mem0-platform';
  add(text: string, metadata: Record<string, unknown>): Promise<string>;
  search(query: string, topK: number): Promise<Mem0Memory[]>;
  getAll(): Promise<Mem0Memory[]>;
  get(id: string): Promise<Mem0Memory | undefined>;
  update(id: string, text: string | undefined, metadata: Record<string, unknown> | undefined): Promise<void>;
  delete(id: string): Promise<boolean>;
  history(id: string): Promise<Mem0HistoryItem[]>;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Mem0Error(`mem0 returned an unexpected ${what}: ${parsed.error.issues[0]?.message ?? 'bad shape'}`, 200, false, 'unexpected_shape');
  return parsed.data;
}

const messages = (text: string) => [{ role: 'user', content: text }];

/** The self-hosted server (`server/main.py`): bare paths, no trailing slash, `X-API-Key`. */
export class SelfHostedDialect implements Mem0Dialect {
  readonly kind = 'mem0' as const;

  constructor(
    private readonly http: Mem0Http,
    private readonly userId: string,
  ) {}

  async add(text: string, metadata: Record<string, unknown>): Promise<string> {
    // infer:false stores the text as given: the memory is ours, not an LLM's extraction of it.
    const body = await this.http.call('POST', '/memories', { body: { messages: messages(text), user_id: this.userId, metadata, infer: false }, retry: false });
    const id = parse(resultsSchema, body, 'add response').results[0]?.id;
    if (!id) throw new Mem0Error('mem0 stored nothing for the memory (empty results)', 200, false, 'empty_add');
    return id;
  }

  async search(query: string, topK: number): Promise<Mem0Memory[]> {
    const body = await this.http.call('POST', '/search', { body: { query, filters: { user_id: this.userId }, top_k: topK } });
    return parse(resultsSchema, body, 'search response').results;
  }

  async getAll(): Promise<Mem0Memory[]> {
    const body = await this.http.call('GET', '/memories', { query: { user_id: this.userId, top_k: 1000 } });
    return parse(resultsSchema, body, 'list response').results;
  }

  async get(id: string): Promise<Mem0Memory | undefined> {
    // A missing id is `null` with status 200 on this server.
    const body = await this.http.call('GET', `/memories/${encodeURIComponent(id)}`);
    return body === null ? undefined : parse(mem0MemorySchema, body, 'memory');
  }

  async update(id: string, text: string | undefined, metadata: Record<string, unknown> | undefined): Promise<void> {
    await this.http.call('PUT', `/memories/${encodeURIComponent(id)}`, { body: { ...(text !== undefined ? { text } : {}), ...(metadata ? { metadata } : {}) } });
  }

  async delete(id: string): Promise<boolean> {
    return deleteTolerating404(() => this.http.call('DELETE', `/memories/${encodeURIComponent(id)}`));
  }

  async history(id: string): Promise<Mem0HistoryItem[]> {
    return parse(historySchema, await this.http.call('GET', `/memories/${encodeURIComponent(id)}/history`), 'history');
  }
}

const addQueuedSchema = z.object({ event_id: z.string(), status: z.string() }).passthrough();
const eventSchema = z
  .object({ status: z.enum(['PENDING', 'RUNNING', 'FAILED', 'SUCCEEDED']), results: z.array(z.object({ id: z.string() }).passthrough()).nullish(), error: z.string().nullish() })
  .passthrough();
const pageSchema = z.object({ results: z.array(mem0MemorySchema), next: z.string().nullish() }).passthrough();

/** The hosted platform: `/v1`–`/v3` paths with trailing slashes, `Authorization: Token`, asynchronous add. */
export class PlatformDialect implements Mem0Dialect {
  readonly kind = 'mem0-platform' as const;

  constructor(
    private readonly http: Mem0Http,
    private readonly userId: string,
    private readonly pollIntervalMs = 500,
    private readonly pollTimeoutMs = 60_000,
  ) {}

  async add(text: string, metadata: Record<string, unknown>): Promise<string> {
    const queued = parse(addQueuedSchema, await this.http.call('POST', '/v3/memories/add/', { body: { messages: messages(text), user_id: this.userId, metadata, infer: false }, retry: false }), 'add response');
    const deadline = Date.now() + this.pollTimeoutMs;
    for (;;) {
      const event = parse(eventSchema, await this.http.call('GET', `/v1/event/${encodeURIComponent(queued.event_id)}/`), 'event');
      if (event.status === 'SUCCEEDED') {
        const id = event.results?.[0]?.id;
        if (!id) throw new Mem0Error('mem0 platform stored nothing for the memory', 200, false, 'empty_add');
        return id;
      }
      if (event.status === 'FAILED') throw new Mem0Error(`mem0 platform could not add the memory: ${event.error ?? 'unknown error'}`, 200, false, 'add_failed');
      if (Date.now() > deadline) throw new Mem0Error(`mem0 platform add event ${queued.event_id} still ${event.status} after ${this.pollTimeoutMs} ms`, 200, true, 'add_pending');
      await new Promise((r) => setTimeout(r, this.pollIntervalMs));
    }
  }

  async search(query: string, topK: number): Promise<Mem0Memory[]> {
    // Entity ids must be inside `filters`: a top-level user_id is a 400 on v3.
    const body = await this.http.call('POST', '/v3/memories/search/', { body: { query, filters: { user_id: this.userId }, top_k: topK } });
    return parse(resultsSchema, body, 'search response').results;
  }

  async getAll(): Promise<Mem0Memory[]> {
    const out: Mem0Memory[] = [];
    for (let page = 1; page <= 50; page++) {
      const body = parse(pageSchema, await this.http.call('POST', '/v3/memories/', { query: { page, page_size: 100 }, body: { filters: { user_id: this.userId } } }), 'memory page');
      out.push(...body.results);
      if (!body.next) break;
    }
    return out;
  }

  async get(id: string): Promise<Mem0Memory | undefined> {
    try {
      return parse(mem0MemorySchema, await this.http.call('GET', `/v1/memories/${encodeURIComponent(id)}/`), 'memory');
    } catch (error) {
      if (error instanceof Mem0Error && (error.status === 404 || error.status === 400)) return undefined;
      throw error;
    }
  }

  async update(id: string, text: string | undefined, metadata: Record<string, unknown> | undefined): Promise<void> {
    await this.http.call('PUT', `/v1/memories/${encodeURIComponent(id)}/`, { body: { ...(text !== undefined ? { text } : {}), ...(metadata ? { metadata } : {}) } });
  }

  async delete(id: string): Promise<boolean> {
    return deleteTolerating404(() => this.http.call('DELETE', `/v1/memories/${encodeURIComponent(id)}/`));
  }

  async history(id: string): Promise<Mem0HistoryItem[]> {
    return parse(historySchema, await this.http.call('GET', `/v1/memories/${encodeURIComponent(id)}/history/`), 'history');
  }
}

async function deleteTolerating404(action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    if (error instanceof Mem0Error && error.status === 404) return false;
    throw error;
  }
}
