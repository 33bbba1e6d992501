import { stat } from 'node:fs/promises';
import type { Logger } from '../common/logger';
import { formatDiagnostic } from '../config/diagnostics';
import type { RunHandle, WorkflowEngine } from '../orchestration/engine';
import type { RunTrigger } from '../orchestration/runRecord';
import { listWorkflowFiles, loadWorkflowFile, resolveWorkflow, type ParsedWorkflow } from '../orchestration/workflowFile';
import type { PlannedStep } from '../orchestration/workflowPlan';
import { eventTriggers, triggerMatches } from '../orchestration/workflowTriggers';
import type { DeliveryEvent } from './deliveryEvent';

// Turns one accepted delivery into workflow runs: every workflow of the workspace whose `triggers:` match
// the event runs with the event as context (conditions read `event.*`, steps get CLAUDE_PM_EVENT_NAME and
// CLAUDE_PM_EVENT, agent tasks may use {{event.…}} placeholders).

export interface DispatchOptions {
  root: string;
  engine: WorkflowEngine;
  logger: Logger;
  /** Context every run starts from (environment, ci, …); the event's branch and tag override it. */
  baseContext?: Record<string, unknown>;
}

export interface StartedRun {
  workflow: string;
  handle: RunHandle;
}

const MAX_PLACEHOLDER_CHARS = 4000;

export class EventDispatcher {
  private readonly parsed = new Map<string, { mtimeMs: number; size: number; result: ParsedWorkflow }>();

  constructor(private readonly options: DispatchOptions) {}

  /** The workflow files whose triggers match `event`, in file-name order. */
  async matchingWorkflows(event: DeliveryEvent): Promise<ParsedWorkflow[]> {
    const matches: ParsedWorkflow[] = [];
    for (const file of await listWorkflowFiles(this.options.root)) {
      const parsed = await this.load(file);
      if (!parsed.workflow) continue;
      if (eventTriggers(parsed.workflow.triggers).triggers.some((t) => triggerMatches(t, event))) matches.push(parsed);
    }
    return matches;
  }

  /** Starts a run of every matching workflow; a workflow that cannot start is logged and skipped. */
  async dispatch(event: DeliveryEvent, trigger: RunTrigger): Promise<StartedRun[]> {
    const eventContext = eventConditionContext(event);
    const context: Record<string, unknown> = { ...this.options.baseContext, pull_request: event.name === 'pull_request' };
    if (event.branch !== undefined) context.branch = event.branch;
    if (event.tag !== undefined) context.tag = event.tag;
    const env: Record<string, string> = { CLAUDE_PM_EVENT_NAME: event.name, CLAUDE_PM_EVENT_SOURCE: event.source, CLAUDE_PM_DELIVERY_ID: event.deliveryId };
    if (trigger.payloadFile) env.CLAUDE_PM_EVENT = trigger.payloadFile;
    const started: StartedRun[] = [];
    for (const match of await this.matchingWorkflows(event)) {
      try {
        const resolved = await resolveWorkflow(match.file, { ...context, event: eventContext });
        const handle = this.options.engine.start({
          workflow: resolved.workflow,
          steps: resolved.steps.map((step) => withEventPlaceholders(step, eventContext)),
          file: resolved.file,
          context,
          selectedVia: resolved.selectedVia,
          event: { trigger, context: eventContext, env },
        });
        started.push({ workflow: resolved.workflow.name, handle });
      } catch (error) {
        this.options.logger.warn(`${match.file}: not started for delivery ${event.deliveryId}: ${(error as Error).message}`);
      }
    }
    return started;
  }

  private async load(file: string): Promise<ParsedWorkflow> {
    const info = await stat(file).catch(() => undefined);
    const cached = this.parsed.get(file);
    if (info && cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached.result;
    const result = await loadWorkflowFile(file);
    for (const d of result.diagnostics) this.options.logger.warn(formatDiagnostic(d));
    if (info) this.parsed.set(file, { mtimeMs: info.mtimeMs, size: info.size, result });
    return result;
  }
}

/** What conditions see as `event`: the payload, plus the normalised name, source, action, branch and labels. */
export function eventConditionContext(event: DeliveryEvent): Record<string, unknown> {
  const { payload, ...normalised } = event;
  return { ...payload, ...normalised, delivery_id: event.deliveryId };
}

/**
 * Replaces `{{event.a.b}}` in an agent step's task with that value of the event (JSON for objects, empty
 * when missing). Shell `command` steps are left alone: they read the event from CLAUDE_PM_EVENT instead, so
 * payload text never becomes part of a command line.
 */
export function withEventPlaceholders(step: PlannedStep, event: Record<string, unknown>): PlannedStep {
  if (step.command !== undefined || !step.task.includes('{{')) return step;
  return { ...step, task: renderEventPlaceholders(step.task, event) };
}

export function renderEventPlaceholders(text: string, event: Record<string, unknown>): string {
  return text.replace(/\{\{\s*event((?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g, (_, path: string) => {
    let value: unknown = event;
    for (const part of path.split('.').slice(1)) {
      value = value !== null && typeof value === 'object' && Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined;
    }
    if (value === undefined || value === null) return '';
    const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
    return text.length > MAX_PLACEHOLDER_CHARS ? `${text.slice(0, MAX_PLACEHOLDER_CHARS)}…` : text;
  });
}
