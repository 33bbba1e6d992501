import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../common/atomicFile';
import { withLock } from './storeLock';
import { BUILTIN_CATEGORIES, SESSION_CATEGORY, categoryNameSchema } from './types';

const CATEGORIES_FILE = 'categories.json';
const fileSchema = z.record(z.string(), z.string());
const BUILTIN = new Map<string, string>(Object.entries(BUILTIN_CATEGORIES));

/**
 * Built-in plus custom categories; custom ones live in `categories.json` next to the store, shared by all
 * backends. Names are user text, so they are only ever looked up in `Map`s.
 */
export class CategoryRegistry {
  private custom: Map<string, string> | undefined;
  private readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, CATEGORIES_FILE);
  }

  /** Every category with its description, built-in ones first. */
  async all(): Promise<Map<string, string>> {
    this.custom ??= await this.read();
    return new Map([...BUILTIN, ...this.custom]);
  }

  /** Custom categories only, as the file holds them (re-read, so another process's changes show). */
  async customCategories(): Promise<Map<string, string>> {
    this.custom = await this.read();
    return new Map(this.custom);
  }

  async has(name: string): Promise<boolean> {
    return name === SESSION_CATEGORY || (await this.all()).has(name);
  }

  isBuiltin(name: string): boolean {
    return BUILTIN.has(name) || name === SESSION_CATEGORY;
  }

  /** Registers (or re-describes) a custom category; other entries of the file are kept as they are. */
  async register(name: string, description: string): Promise<void> {
    this.checkName(name);
    await this.change((current) => current.set(name, description.trim()));
  }

  /** Renames a custom category in the file; moving its memories is the service's part. */
  async rename(from: string, to: string): Promise<void> {
    this.checkName(to);
    if (this.isBuiltin(from)) throw new Error(`'${from}' is a built-in category and cannot be renamed.`);
    await this.change((current) => {
      const description = current.get(from);
      if (description === undefined) throw new Error(`There is no custom category '${from}'.`);
      if (current.has(to)) throw new Error(`A category '${to}' already exists.`);
      current.delete(from);
      current.set(to, description);
    });
  }

  async remove(name: string): Promise<void> {
    if (this.isBuiltin(name)) throw new Error(`'${name}' is a built-in category and cannot be removed.`);
    await this.change((current) => {
      if (!current.delete(name)) throw new Error(`There is no custom category '${name}'.`);
    });
  }

  private checkName(name: string): void {
    const parsed = categoryNameSchema.safeParse(name);
    if (!parsed.success) throw new Error(`Invalid category '${name}': ${parsed.error.issues[0]?.message ?? 'bad name'}`);
    if (this.isBuiltin(name)) throw new Error(`'${name}' is a built-in category.`);
  }

  /** Read, change and write the file under its lock, so two processes never lose each other's changes. */
  private async change(edit: (current: Map<string, string>) => void): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await withLock(join(this.dir, '.categories.lock'), async () => {
      const current = await this.read();
      edit(current);
      await writeJsonAtomic(this.path, Object.fromEntries(current));
      this.custom = current;
    });
  }

  private async read(): Promise<Map<string, string>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${this.path} is not valid JSON (${(error as Error).message}); fix or delete it to use custom categories.`);
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) throw new Error(`${this.path} must map category names to descriptions.`);
    // A hand-edited name that is not a valid category would never match a memory: leave it out.
    return new Map(Object.entries(parsed.data).filter(([name]) => categoryNameSchema.safeParse(name).success && !this.isBuiltin(name)));
  }
}
