// The real tool's ParentDirectoryManager state (formats.md §1), shared so both tools can live together:
//   .claude-pm/parent_directory_manager/configs/managed_directories.json  path → managed directory
//   .claude-pm/parent_directory_manager/logs/operation_history.json       operations, oldest first

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../common/atomicFile';
import { redactValue } from '../common/redact';

/** The history keeps this many operations; older ones are dropped on write. */
export const HISTORY_LIMIT = 1000;

const managedDirectorySchema = z
  .object({
    target_directory: z.string(),
    context: z.string().optional(),
    template_id: z.string().optional(),
    template_variables: z.record(z.string(), z.unknown()).optional(),
    backup_enabled: z.boolean().optional(),
    version_control: z.boolean().optional(),
    conflict_resolution: z.string().optional(),
  })
  .passthrough();
const managedDirectoriesSchema = z.record(z.string(), managedDirectorySchema);

const operationSchema = z
  .object({
    timestamp: z.string(),
    operation: z.string(),
    target: z.string().optional(),
    success: z.boolean().optional(),
    action: z.string().optional(),
    from_version: z.string().nullable().optional(),
    to_version: z.string().nullable().optional(),
    backup: z.string().nullable().optional(),
  })
  .passthrough();
const historySchema = z.array(operationSchema);

export type ManagedDirectory = z.infer<typeof managedDirectorySchema>;
export type Operation = z.infer<typeof operationSchema>;

export class StateFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}. Fix or move the file away; nothing was changed.`);
    this.name = 'StateFileError';
  }
}

export function stateDir(projectRoot: string): string {
  return join(projectRoot, '.claude-pm', 'parent_directory_manager');
}

const managedPath = (root: string): string => join(stateDir(root), 'configs', 'managed_directories.json');
const historyPath = (root: string): string => join(stateDir(root), 'logs', 'operation_history.json');

async function readState<T>(file: string, schema: z.ZodType<T>, empty: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return empty;
    throw new StateFileError(file, `cannot read (${(error as NodeJS.ErrnoException).code})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new StateFileError(file, `invalid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new StateFileError(file, `unexpected content (${parsed.error.issues.map((i) => `${i.path.join('.') || 'root'}: ${i.message}`).join('; ')})`);
  return parsed.data;
}

/** Both state files, validated; throws StateFileError (before anything is written) when one is damaged. */
export class DeploymentState {
  private constructor(
    private readonly root: string,
    readonly managed: Record<string, ManagedDirectory>,
    readonly history: Operation[],
  ) {}

  static async load(projectRoot: string): Promise<DeploymentState> {
    const [managed, history] = await Promise.all([
      readState(managedPath(projectRoot), managedDirectoriesSchema, {}),
      readState(historyPath(projectRoot), historySchema, []),
    ]);
    return new DeploymentState(projectRoot, managed, history);
  }

  record(operation: Operation): void {
    this.history.push(operation);
  }

  /** Registers a directory we deploy to, keeping whatever else the entry already holds. */
  manage(targetDirectory: string, templateVariables: Record<string, string>): void {
    this.managed[targetDirectory] = {
      ...this.managed[targetDirectory],
      target_directory: targetDirectory,
      context: this.managed[targetDirectory]?.context ?? 'parent_directory',
      template_id: 'framework/CLAUDE.md',
      // The real tool keeps the variables here; secret-looking values stay out of the file.
      template_variables: redactValue(templateVariables),
      backup_enabled: true,
      version_control: this.managed[targetDirectory]?.version_control ?? false,
      conflict_resolution: 'backup_and_replace',
    };
  }

  async save(): Promise<void> {
    await Promise.all([writeJsonAtomic(managedPath(this.root), this.managed), writeJsonAtomic(historyPath(this.root), this.history.slice(-HISTORY_LIMIT))]);
  }

  /** Backup paths recorded for `target`, plus those no history entry claims (made by the real tool). */
  backupsFor(target: string, all: readonly string[]): Set<string> {
    const owner = new Map<string, string | undefined>();
    for (const op of this.history) if (op.backup) owner.set(op.backup, op.target);
    return new Set(all.filter((path) => !owner.has(path) || owner.get(path) === target));
  }

  lastDeploy(target: string): string | undefined {
    return this.history.findLast((op) => op.target === target && op.operation === 'deploy' && (op.action === 'created' || op.action === 'updated'))?.timestamp;
  }
}
