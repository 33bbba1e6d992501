import { z } from 'zod';
import { compileGlob, globMatches } from './glob';

// A workflow's `triggers:` list, e.g.
//   triggers:
//     - {event: push, branches: [main], paths: ["src/**"]}
//     - {event: deployment_status, state: failure}
//     - {event: pull_request, actions: [opened, synchronize]}
//     - {event: issues, labels: [agent]}
// Entries without `event` (the real tool's `on_change` / `on_schedule`) are kept and ignored here.
// Every filter given must hold; a list holds when any of its entries does.

const oneOrMany = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]));
const globList = oneOrMany.superRefine((patterns, ctx) => {
  for (const p of patterns) {
    try {
      compileGlob(p);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  }
});

export const eventTriggerSchema = z
  .object({
    event: z.string().min(1),
    source: z.enum(['github', 'gitlab', 'generic']).optional(),
    branches: globList.optional(),
    branches_ignore: globList.optional(),
    tags: globList.optional(),
    paths: globList.optional(),
    paths_ignore: globList.optional(),
    actions: oneOrMany.optional(),
    state: oneOrMany.optional(),
    labels: oneOrMany.optional(),
  })
  .loose();

export type EventTrigger = z.infer<typeof eventTriggerSchema>;

/** What a trigger looks at in an event (the webhook listener normalises GitHub and GitLab deliveries to this). */
export interface TriggerEvent {
  source: string;
  name: string;
  action?: string;
  branch?: string;
  tag?: string;
  /** Undefined when the sender does not list the files (then path filters match). */
  paths?: string[];
  state?: string;
  labels: string[];
}

export interface TriggerIssue {
  index: number;
  path: (string | number)[];
  message: string;
}

/** The event triggers of a workflow's raw `triggers` value, and what is wrong with the ones that are invalid. */
export function eventTriggers(raw: unknown): { triggers: EventTrigger[]; issues: TriggerIssue[] } {
  const triggers: EventTrigger[] = [];
  const issues: TriggerIssue[] = [];
  if (raw === undefined) return { triggers, issues };
  if (!Array.isArray(raw)) return { triggers, issues: [{ index: -1, path: [], message: '`triggers` must be a list' }] };
  raw.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null || !('event' in entry)) return;
    const parsed = eventTriggerSchema.safeParse(entry);
    if (parsed.success) triggers.push(parsed.data);
    else for (const issue of parsed.error.issues) issues.push({ index, path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))), message: issue.message });
  });
  return { triggers, issues };
}

/** Whether one trigger fires for an event. */
export function triggerMatches(trigger: EventTrigger, event: TriggerEvent): boolean {
  if (trigger.event !== event.name) return false;
  if (trigger.source && trigger.source !== event.source) return false;
  if (trigger.actions && !(event.action !== undefined && trigger.actions.includes(event.action))) return false;
  if (trigger.state && !(event.state !== undefined && trigger.state.includes(event.state))) return false;
  if (trigger.labels && !trigger.labels.some((l) => event.labels.includes(l))) return false;
  // A push of a tag has no branch: a branch filter alone does not match it, as in GitHub Actions.
  if (trigger.branches && !(event.branch !== undefined && anyGlob(trigger.branches, event.branch))) return false;
  if (trigger.branches_ignore && event.branch !== undefined && anyGlob(trigger.branches_ignore, event.branch)) return false;
  if (trigger.tags && !(event.tag !== undefined && anyGlob(trigger.tags, event.tag))) return false;
  // Paths are unknown when a forge leaves the file lists out (very large pushes): path filters then match.
  if (event.paths) {
    const paths = event.paths;
    if (trigger.paths && !paths.some((p) => anyGlob(trigger.paths!, p))) return false;
    if (trigger.paths_ignore && paths.every((p) => anyGlob(trigger.paths_ignore!, p))) return false;
  }
  return true;
}

function anyGlob(patterns: readonly string[], value: string): boolean {
  return patterns.some((p) => globMatches(p, value));
}
