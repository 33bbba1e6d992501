import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../common/atomicFile';
import { withLock } from './storeLock';
import { BUILTIN_CATEGORIES, SESSION_CATEGORY, categoryNameSchema } from './types';

const CATEGORIES_FILE = 'categories.json';
const fileSchema = z.record(z.string(), z.string());

/** Built-in plus custom categories; custom ones live in `categories.json` next to the store, shared by all backends. */
export class CategoryRegistry {
  private custom: Record<string, string> | undefined;
  private readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, CATEGORIES_FILE);
  }

  async all(): Promise<Record<string, string>> {
    this.custom ??= await this.read();
    return { ...BUILTIN_CATEGORIES, ...this.custom };
  }

  async has(name: string): Promise<boolean> {
    return name === SESSION_CATEGORY || name in (await this.all());
  }

  /** Registers (or re-describes) a custom category; other keys in the file are kept as they are. */
  async register(name: string, description: string): Promise<void> {
    const parsed = categoryNameSchema.safeParse(name);
    if (!parsed.success) throw new Error(`Invalid category '${name}': ${parsed.error.issues[0]?.message ?? 'bad name'}`);
    if (name in BUILTIN_CATEGORIES || name === SESSION_CATEGORY) throw new Error(`'${name}' is a built-in category.`);
    await withLock(join(this.dir, '.categories.lock'), async () => {
      const current = await this.read();
      current[name] = description;
      await writeJsonAtomic(this.path, current);
      this.custom = current;
    });
  }

  private async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${this.path} is not valid JSON (${(error as Error).message}); fix or delete it to register categories.`);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${this.path} must map category names to descriptions.`);
    return parsed.data;
  }
}
