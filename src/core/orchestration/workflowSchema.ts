import { z } from 'zod';
import { timerSecondsSchema } from '../common/timerLimitSchema';
import { ExpressionError, parseExpression } from './expression';
import { eventTriggers } from './workflowTriggers';
import { ISOLATION_MODES } from '../agents/runner';

// `.claude-pm/workflows/*.yaml`. Compatible with the real tool's `{name, description, steps[{name, command}],
// triggers}` and extended with the framework's sequential / parallel / conditional shapes (formats.md §7).
// Objects are loose so keys we do not know are kept. `triggers` entries with an `event` start the workflow from
// webhook deliveries (workflowTriggers.ts); other entries (the real tool's `on_change`, `on_schedule`) are kept.

export const ON_ERROR = ['retry_with_backoff', 'delegate_to_backup', 'fail_fast', 'continue'] as const;
export type OnError = (typeof ON_ERROR)[number];

const stepName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a step name starts with a letter or _ and holds only letters, digits, _ and -');

const condition = z.string().superRefine((source, ctx) => {
  try {
    parseExpression(source);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    ctx.addIssue({ code: 'custom', message: `invalid condition: ${error.message}` });
  }
});

const isolation = z.enum(ISOLATION_MODES, { error: () => `isolation must be ${ISOLATION_MODES.map((m) => `\`${m}\``).join(' or ')}` });

export const workflowStepSchema = z
  .object({
    name: stepName,
    description: z.string().optional(),
    /** A shell command, as in the real tool's `steps[{name, command}]`. */
    command: z.string().min(1).optional(),
    agent_type: z.string().min(1).optional(),
    task: z.string().min(1).optional(),
    /** Seconds. */
    timeout: timerSecondsSchema().optional(),
    depends_on: z.array(stepName).optional(),
    retries: z.number().int().min(0).max(20).optional(),
    on_error: z.enum(ON_ERROR).optional(),
    backup_agent: z.string().min(1).optional(),
    /** Runs the step only when this holds; otherwise it is skipped. */
    condition: condition.optional(),
    /** `worktree`: the step works in its own git worktree and leaves its changes on a branch; overrides the workflow's. */
    isolation: isolation.optional(),
  })
  .loose()
  .superRefine((step, ctx) => {
    if (step.command === undefined && (step.agent_type === undefined || step.task === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a step needs either `command` or both `agent_type` and `task`' });
    }
    if (step.command !== undefined && step.task !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['task'], message: 'a step has either `command` or `task`, not both' });
    }
    if (step.on_error === 'delegate_to_backup' && step.backup_agent === undefined) {
      ctx.addIssue({ code: 'custom', path: ['backup_agent'], message: '`on_error: delegate_to_backup` needs a `backup_agent`' });
    }
  });

export const parallelGroupSchema = z
  .object({
    name: z.string().min(1),
    steps: z.array(workflowStepSchema).min(1),
  })
  .loose();

export const workflowSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    type: z.enum(['sequential', 'parallel', 'conditional']).default('sequential'),
    /** Seconds for the whole run; an alert and a stop when it passes. */
    timeout: timerSecondsSchema().optional(),
    max_concurrent_agents: z.number().int().min(1).max(64).optional(),
    /** A run whose steps failed under `on_error: continue` still counts as a success (exit code 0). */
    accept_failures: z.boolean().optional(),
    /** US dollars the agents of one run may spend together; the run stops once they spent more. */
    max_budget_usd: z.number().positive().optional(),
    /** `false`: this workflow's agents run without the claude-pm tool server (memory, tickets, health). */
    mcp_server: z.boolean().optional(),
    /** The isolation of steps that name none: `worktree` or `none` (the default). */
    isolation: isolation.optional(),
    steps: z.array(workflowStepSchema).optional(),
    parallel_groups: z.array(parallelGroupSchema).optional(),
    conditions: z.array(z.object({ condition, workflow: z.string().min(1) }).loose()).optional(),
    default_workflow: z.string().min(1).optional(),
    triggers: z.array(z.unknown()).optional(),
  })
  .loose()
  .superRefine((wf, ctx) => {
    for (const issue of eventTriggers(wf.triggers).issues) ctx.addIssue({ code: 'custom', path: ['triggers', ...(issue.index < 0 ? [] : [issue.index]), ...issue.path], message: issue.message });
    if (wf.type === 'conditional') {
      if (!wf.conditions?.length && !wf.default_workflow) {
        ctx.addIssue({ code: 'custom', path: ['conditions'], message: 'a conditional workflow needs `conditions` or a `default_workflow`' });
      }
    } else if (!wf.steps?.length && !wf.parallel_groups?.length) {
      ctx.addIssue({ code: 'custom', path: ['steps'], message: 'a workflow needs `steps` or `parallel_groups`' });
    }
  });

export type WorkflowStep = z.infer<typeof workflowStepSchema>;
export type Workflow = z.infer<typeof workflowSchema>;
