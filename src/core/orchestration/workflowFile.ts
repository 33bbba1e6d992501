import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { containedPath, PathEscapeError } from '../common/containedPath';
import { CONFIG_DIR } from '../config/loadConfig';
import type { FileDiagnostic } from '../config/diagnostics';
import { conditionHolds } from './expression';
import { planWorkflow, type PlannedStep } from './workflowPlan';
import { workflowSchema, type Workflow } from './workflowSchema';

export const WORKFLOWS_DIR = join(CONFIG_DIR, 'workflows');
const MAX_WORKFLOW_BYTES = 2 * 1024 * 1024;

export interface ParsedWorkflow {
  file: string;
  /** Undefined when the file has errors; then `diagnostics` says where. */
  workflow?: Workflow;
  steps: PlannedStep[];
  diagnostics: FileDiagnostic[];
}

/** Parses and validates workflow YAML; every problem carries the line and column it refers to. */
export function parseWorkflowText(file: string, text: string): ParsedWorkflow {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const yamlErrors = doc.errors.map((e) => ({ file, ...at(e.pos[0]), message: e.message.split('\n')[0]!, severity: 'error' as const }));
  if (yamlErrors.length) return { file, steps: [], diagnostics: yamlErrors };

  const located = (path: readonly PropertyKey[], message: string): FileDiagnostic => {
    const offset = offsetOf(doc, path);
    return { file, ...(offset === undefined ? {} : at(offset)), key: path.map(String).join('.') || undefined, message, severity: 'error' };
  };
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // e.g. an alias bomb ("billion laughs"): refuse it rather than expand it.
    return { file, steps: [], diagnostics: [{ file, message: `cannot read the YAML: ${(error as Error).message}`, severity: 'error' }] };
  }
  const result = workflowSchema.safeParse(raw);
  if (!result.success) return { file, steps: [], diagnostics: result.error.issues.map((i) => located(i.path, i.message)) };
  const { steps, issues } = planWorkflow(result.data);
  if (issues.length) return { file, steps: [], diagnostics: issues.map((i) => located(i.path, i.message)) };
  return { file, workflow: result.data, steps, diagnostics: [] };
}

/** The start offset of the node at `path`, or of its nearest existing ancestor. */
function offsetOf(doc: Document, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}

/** Reads and parses a workflow file; unreadable or oversized files become a diagnostic. */
export async function loadWorkflowFile(file: string): Promise<ParsedWorkflow> {
  try {
    const info = await stat(file);
    if (info.size > MAX_WORKFLOW_BYTES) return { file, steps: [], diagnostics: [{ file, message: `larger than ${MAX_WORKFLOW_BYTES / 1024 / 1024} MiB; not a workflow`, severity: 'error' }] };
    return parseWorkflowText(file, await readFile(file, 'utf8'));
  } catch (error) {
    return { file, steps: [], diagnostics: [{ file, message: `cannot read: ${(error as Error).message}`, severity: 'error' }] };
  }
}

/** The workflow files of a workspace, sorted by name. */
export async function listWorkflowFiles(root: string): Promise<string[]> {
  const dir = join(root, WORKFLOWS_DIR);
  try {
    const names = await readdir(dir);
    return names
      .filter((n) => /\.ya?ml$/i.test(n))
      .sort()
      .map((n) => join(dir, n));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Which workflow a conditional workflow picks for a context: the first condition that holds, else the default. */
export function selectBranch(workflow: Workflow, context: Readonly<Record<string, unknown>>): string | undefined {
  for (const branch of workflow.conditions ?? []) {
    if (conditionHolds(branch.condition, context)) return branch.workflow;
  }
  return workflow.default_workflow;
}

/** Thrown when a workflow (or the one a condition selects) cannot be run. */
export class WorkflowError extends Error {
  constructor(
    message: string,
    readonly diagnostics: FileDiagnostic[] = [],
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

export interface ResolvedWorkflow {
  /** The workflow whose steps run. */
  workflow: Workflow;
  file: string;
  steps: PlannedStep[];
  /** The conditional workflows passed through on the way, outermost first. */
  selectedVia: { workflow: string; selected: string }[];
}

const MAX_CONDITIONAL_DEPTH = 10;

/**
 * Loads a workflow and, for conditional ones, follows the selected branch to a runnable workflow: a file
 * `<name>.yaml`/`.yml` next to it, or a workflow in that folder whose `name` matches.
 */
export async function resolveWorkflow(file: string, context: Readonly<Record<string, unknown>>): Promise<ResolvedWorkflow> {
  const selectedVia: ResolvedWorkflow['selectedVia'] = [];
  let current = file;
  for (let depth = 0; depth <= MAX_CONDITIONAL_DEPTH; depth++) {
    const parsed = await loadWorkflowFile(current);
    if (!parsed.workflow) throw new WorkflowError(`${basename(current)} is not a valid workflow`, parsed.diagnostics);
    if (parsed.workflow.type !== 'conditional') return { workflow: parsed.workflow, file: current, steps: parsed.steps, selectedVia };
    const selected = selectBranch(parsed.workflow, context);
    if (!selected) throw new WorkflowError(`no condition of '${parsed.workflow.name}' holds and it has no default_workflow`);
    selectedVia.push({ workflow: parsed.workflow.name, selected });
    current = await findWorkflowByName(dirname(current), selected);
  }
  throw new WorkflowError(`conditional workflows nest deeper than ${MAX_CONDITIONAL_DEPTH} levels (a loop?)`);
}

/**
 * A workflow file in `dir` by file name or by its `name`. The name comes from a workflow file, so it only ever
 * selects a file of that folder: no `..`, no absolute path, no symbolic link leading out.
 */
export async function findWorkflowByName(dir: string, name: string): Promise<string> {
  const inFolder = async (fileName: string) => {
    try {
      await containedPath(dir, fileName, `the selected workflow '${name}'`);
      return join(dir, fileName);
    } catch (error) {
      if (error instanceof PathEscapeError) throw new WorkflowError(`${error.message} (a conditional workflow selects a workflow of its own folder)`);
      throw error;
    }
  };
  for (const ext of ['.yaml', '.yml']) {
    const candidate = await inFolder(`${name}${ext}`);
    if (await stat(candidate).then((s) => s.isFile(), () => false)) return candidate;
  }
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const n of names.filter((n) => /\.ya?ml$/i.test(n))) {
    const parsed = await loadWorkflowFile(await inFolder(n));
    if (parsed.workflow?.name === name) return parsed.file;
  }
  throw new WorkflowError(`the selected workflow '${name}' was not found in ${dir}`);
}
