import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../common/atomicFile';

export const outboxEntrySchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('add'), clientId: z.string(), text: z.string(), metadata: z.record(z.string(), z.unknown()), at: z.string(), attempted: z.boolean().default(false) }),
  z.object({ op: z.literal('update'), id: z.string(), text: z.string().optional(), metadata: z.record(z.string(), z.unknown()).optional(), at: z.string() }),
  z.object({ op: z.literal('delete'), id: z.string(), at: z.string() }),
]);
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

const OUTBOX_FILE = 'outbox.json';

/**
 * Writes made while mem0 is unreachable, persisted in order (`outbox.json`, atomic rewrite) so they survive
 * a restart and are replayed exactly once when the server is back.
 */
export class Outbox {
  private entries: OutboxEntry[] | undefined;
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, OUTBOX_FILE);
  }

  async load(): Promise<OutboxEntry[]> {
    if (this.entries) return this.entries;
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.entries = [];
      return this.entries;
    }
    const parsed = z.array(outboxEntrySchema).safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${this.path} is damaged (${parsed.error.issues[0]?.message ?? 'bad shape'}); queued writes are kept in it until it is repaired.`);
    this.entries = parsed.data;
    return this.entries;
  }

  get size(): number {
    return this.entries?.length ?? 0;
  }

  async push(entry: OutboxEntry): Promise<void> {
    const entries = await this.load();
    entries.push(entry);
    await this.save();
  }

  async save(): Promise<void> {
    await writeJsonAtomic(this.path, this.entries ?? []);
  }
}
