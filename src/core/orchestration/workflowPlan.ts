import type { IsolationMode } from '../agents/runner';
import type { OnError, Workflow, WorkflowStep } from './workflowSchema';

/** The agent type of a `command` step that names none; limits and breakers apply to it like to any type. */
export const COMMAND_AGENT_TYPE = 'command';

/** One step of the DAG the engine runs, with its dependencies made explicit. */
export interface PlannedStep {
  name: string;
  agentType: string;
  /** Set for shell-command steps; the task text otherwise. */
  command?: string;
  task: string;
  timeoutMs?: number;
  dependsOn: string[];
  retries: number;
  onError?: OnError;
  backupAgent?: string;
  condition?: string;
  group?: string;
  /** `worktree`: the step runs in its own git worktree (the step's `isolation`, else the workflow's). */
  isolation?: IsolationMode;
}

/** A problem with the DAG, located by its path in the workflow file. */
export interface PlanIssue {
  path: (string | number)[];
  message: string;
}

// The v4 orchestrator's `max_retries=2` when a step asks for retries without a count.
const DEFAULT_RETRIES_WITH_BACKOFF = 2;

/**
 * Flattens a workflow's steps and parallel groups into a DAG. In a sequential workflow a step without
 * `depends_on` follows the previous one and a group follows the previous stage; in a parallel workflow
 * only explicit `depends_on` orders steps. Unknown dependencies, duplicate names and cycles are issues.
 */
export function planWorkflow(workflow: Workflow): { steps: PlannedStep[]; issues: PlanIssue[] } {
  const steps: PlannedStep[] = [];
  const paths = new Map<string, (string | number)[]>();
  const issues: PlanIssue[] = [];
  const sequential = workflow.type === 'sequential';
  let previousStage: string[] = [];

  const add = (step: WorkflowStep, path: (string | number)[], implicitDeps: string[], group?: string) => {
    if (paths.has(step.name)) {
      issues.push({ path: [...path, 'name'], message: `duplicate step name '${step.name}'` });
      return;
    }
    paths.set(step.name, path);
    steps.push(toPlanned(step, step.depends_on ?? (sequential ? implicitDeps : []), group, step.isolation ?? workflow.isolation));
  };

  (workflow.steps ?? []).forEach((step, i) => {
    add(step, ['steps', i], previousStage);
    if (paths.get(step.name)?.[1] === i) previousStage = [step.name];
  });
  (workflow.parallel_groups ?? []).forEach((group, g) => {
    const stage = previousStage;
    const names: string[] = [];
    group.steps.forEach((step, i) => {
      add(step, ['parallel_groups', g, 'steps', i], stage, group.name);
      names.push(step.name);
    });
    previousStage = names;
  });

  for (const step of steps) {
    step.dependsOn.forEach((dep, d) => {
      if (!paths.has(dep)) issues.push({ path: [...paths.get(step.name)!, 'depends_on', d], message: `'${step.name}' depends on unknown step '${dep}'` });
      else if (dep === step.name) issues.push({ path: [...paths.get(step.name)!, 'depends_on', d], message: `'${step.name}' depends on itself` });
    });
  }
  if (issues.length === 0) {
    const cycle = findCycle(steps);
    if (cycle) issues.push({ path: [...paths.get(cycle[0]!)!, 'depends_on'], message: `dependency cycle: ${cycle.join(' → ')}` });
  }
  return { steps, issues };
}

function toPlanned(step: WorkflowStep, dependsOn: string[], group: string | undefined, isolation: IsolationMode | undefined): PlannedStep {
  const retries = step.retries ?? (step.on_error === 'retry_with_backoff' ? DEFAULT_RETRIES_WITH_BACKOFF : 0);
  return {
    name: step.name,
    agentType: step.agent_type ?? COMMAND_AGENT_TYPE,
    command: step.command,
    task: step.command ?? step.task ?? '',
    timeoutMs: step.timeout === undefined ? undefined : step.timeout * 1000,
    dependsOn: [...new Set(dependsOn)],
    retries,
    onError: step.on_error,
    backupAgent: step.backup_agent,
    condition: step.condition,
    group,
    isolation: isolation === 'worktree' ? isolation : undefined,
  };
}

/** Returns one cycle as a list of step names (first repeated at the end), or undefined for a DAG. */
export function findCycle(steps: readonly Pick<PlannedStep, 'name' | 'dependsOn'>[]): string[] | undefined {
  const deps = new Map(steps.map((s) => [s.name, s.dependsOn]));
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of deps.keys()) {
    if (state.has(start)) continue;
    // Iterative DFS so a 10,000-step chain cannot overflow the stack.
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    state.set(start, 'visiting');
    while (stack.length) {
      const frame = stack[stack.length - 1]!;
      const children = deps.get(frame.name) ?? [];
      if (frame.next >= children.length) {
        state.set(frame.name, 'done');
        stack.pop();
        continue;
      }
      const child = children[frame.next++]!;
      if (!deps.has(child)) continue;
      const childState = state.get(child);
      if (childState === 'visiting') {
        const names = stack.map((f) => f.name);
        return [...names.slice(names.indexOf(child)), child];
      }
      if (childState === undefined) {
        state.set(child, 'visiting');
        stack.push({ name: child, next: 0 });
      }
    }
  }
  return undefined;
}

/** Rejects a step list the engine cannot run: duplicate names, unknown dependencies or a cycle. */
export function assertRunnable(steps: readonly Pick<PlannedStep, 'name' | 'dependsOn'>[]): void {
  const names = new Set<string>();
  for (const step of steps) {
    if (names.has(step.name)) throw new Error(`duplicate step name '${step.name}'`);
    names.add(step.name);
  }
  for (const step of steps) {
    const unknown = step.dependsOn.find((d) => !names.has(d));
    if (unknown !== undefined) throw new Error(`'${step.name}' depends on unknown step '${unknown}'`);
  }
  const cycle = findCycle(steps);
  if (cycle) throw new Error(`dependency cycle: ${cycle.join(' → ')}`);
}
