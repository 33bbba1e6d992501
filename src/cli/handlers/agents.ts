import { homedir } from 'node:os';
import { createAgentRunner, runnerSettingsFromConfig, type RunnerKind } from '../../core/agents/createAgentRunner';
import type { RunCheckpoint } from '../../core/agents/checkpoint';
import { checkpointsOption, delegateTask, runOutcomeNote, type DelegatedRun } from '../../core/agents/delegate';
import { TicketTracker } from '../../core/tickets/tracker';
import { AGENT_TIERS, discoverAgents, displayPath, findAgent, type AgentCatalog } from '../../core/agents/discoverAgents';
import { formatRunEvent, summarizeRun } from '../../core/agents/runLog';
import { defaultSystemAgentsDir } from '../../core/agents/systemAgents';
import { formatDiagnostic } from '../../core/config/diagnostics';
import { delegatedRunRecord } from '../../core/orchestration/delegatedRecord';
import { diffStatText } from '../../core/orchestration/runBranches';
import { ISOLATION_MODES, type IsolationMode } from '../../core/agents/runner';
import { findRepository } from '../../core/agents/worktreeIsolation';
import { spendSummary } from '../../core/orchestration/runSpend';
import { RunStore } from '../../core/orchestration/runStore';
import { redact, redactValue } from '../../core/common/redact';
import { selfToolServer } from '../selfCommand';
import { UsageError, type CliHandler, type CliHandlers, type CliContext } from '../framework';
import { secondsOption } from '../secondsOption';
import { onTermination } from '../signals';
import { teamRunRecorder } from './teamRecorder';

export async function loadCatalog(ctx: CliContext): Promise<AgentCatalog> {
  return discoverAgents({ projectRoot: ctx.cwd, homeDir: ctx.env.HOME || ctx.env.USERPROFILE || homedir(), systemDir: defaultSystemAgentsDir() });
}

const list: CliHandler = async (ctx) => {
  const catalog = await loadCatalog(ctx);
  for (const d of catalog.diagnostics) ctx.logger.warn(formatDiagnostic(d));
  const agents = catalog.agents.map((a) => ({
    type: a.type,
    name: a.name,
    tier: a.tier,
    description: a.description,
    model: a.model ?? null,
    capabilities: a.capabilities,
    tools: a.tools ?? null,
    format: a.format,
    file: a.filePath,
    shadows: a.shadows.map((s) => ({ tier: s.tier, file: s.filePath })),
  }));
  ctx.print({ agents, baseAgent: catalog.baseAgent?.filePath ?? null, diagnostics: catalog.diagnostics }, () => {
    const lines: string[] = [];
    for (const tier of AGENT_TIERS) {
      const inTier = catalog.agents.filter((a) => a.tier === tier);
      if (!inTier.length) continue;
      lines.push(`${tier} (${inTier.length})`);
      for (const a of inTier) {
        const overrides = a.shadows.length ? ` [overrides ${a.shadows.map((s) => s.tier).join(', ')}]` : '';
        lines.push(`  ${a.type.padEnd(20)} ${a.description || a.name}${a.model ? ` (${a.model})` : ''}${overrides}`);
        lines.push(`  ${''.padEnd(20)} ${displayPath(ctx.cwd, a.filePath)}`);
      }
    }
    return lines.length ? lines.join('\n') : 'No agents found.';
  });
  return 0;
};

const delegate: CliHandler = async (ctx, values, positionals) => {
  const task = positionals.join(' ').trim();
  if (typeof values.agent !== 'string' || values.agent === '') throw new UsageError('missing --agent TYPE');
  if (!task) throw new UsageError('missing TASK');
  if (values.runner !== undefined && values.runner !== 'claude' && values.runner !== 'command') throw new UsageError(`--runner must be claude or command, not '${String(values.runner)}'`);
  const timeoutS = secondsOption(values.timeout, '--timeout');
  const maxTurns = positiveNumber(values['max-turns'], '--max-turns');
  const isolation = isolationOption(values.isolation);

  const [config, catalog] = await Promise.all([ctx.config(), loadCatalog(ctx)]);
  const agent = findAgent(catalog, values.agent);
  if (!agent) throw new UsageError(`no agent '${values.agent}'; known: ${catalog.agents.map((a) => a.type).join(', ')}`);
  const settings = runnerSettingsFromConfig(config, { kind: values.runner as RunnerKind | undefined, env: ctx.env, toolServer: selfToolServer(ctx.env) });
  const runner = createAgentRunner(settings);
  const kind = settings.kind;
  // Said before the agent starts, not as a failed run.
  if (isolation === 'worktree') await findRepository(ctx.cwd);

  const controller = new AbortController();
  const stopHandling = onTermination((signal) => {
    ctx.logger.warn(`${signal}: stopping the agent…`);
    controller.abort();
  });
  try {
    ctx.logger.info(`[${agent.type}] delegating to ${agent.name} (${agent.tier} tier, ${kind} runner)…`);
    const run = await delegateTask({
      catalog,
      agent,
      runner,
      task,
      ticketId: typeof values.ticket === 'string' ? values.ticket : undefined,
      cwd: ctx.cwd,
      timeoutMs: timeoutS !== undefined ? timeoutS * 1000 : config.orchestrator.agentTimeoutMs,
      maxTurns,
      checkpoints: checkpointsOption(config.agents.checkpointsKept),
      isolation,
      signal: controller.signal,
      onEvent: (event) => {
        for (const line of formatRunEvent(agent.type, event)) ctx.logger.info(line);
      },
    });
    const result = run.result!;
    await ctx.audit({ event: 'agent_delegation', action: `delegate to ${agent.type}`, target: task, details: { agent: agent.type, tier: agent.tier, runner: kind, outcome: result.status, ...(run.ticketId ? { ticket: run.ticketId } : {}) } });
    for (const line of summarizeRun(agent.type, result)) (result.status === 'succeeded' ? ctx.logger.info : ctx.logger.error)(line);
    if (run.checkpoint) ctx.logger.info(`[${agent.type}] ${checkpointLine(run.id, run.checkpoint)}`);
    if (result.isolation) ctx.logger.info(`[${agent.type}] changes on ${result.isolation.branch}: ${diffStatText(result.isolation)}; claude-pm runs diff|apply|discard ${run.id}`);
    const record = delegatedRunRecord(run);
    const finishedRuns = teamRunRecorder(ctx, config);
    const store = new RunStore(ctx.cwd, finishedRuns);
    await store.save(record).catch((error: Error) => ctx.logger.warn(`could not record the run in ${store.dir}: ${error.message}`));
    await finishedRuns?.dispose();
    if (run.ticketId) await noteOnTicket(ctx, run);
    ctx.print(redactValue({ ...run, status: result.status, ...spendSummary(record), isolation: result.isolation ?? null, result: { ...result } }), () => redact(result.output || `(${result.status})`));
    return result.status === 'succeeded' ? 0 : 1;
  } finally {
    stopHandling();
  }
};

/** The ticket the task was delegated for gets a note with the outcome; a failure to write it only warns. */
async function noteOnTicket(ctx: CliContext, run: DelegatedRun): Promise<void> {
  try {
    await ctx.authorize('ticket.write', 'tickets note', run.ticketId);
    const tracker = await TicketTracker.open(ctx.cwd, { env: ctx.env, actor: ctx.env.USER || ctx.env.USERNAME || 'claude-pm' });
    await tracker.addNote(run.ticketId!, runOutcomeNote(run));
  } catch (error) {
    ctx.logger.warn(`could not add the run's outcome to ${run.ticketId}: ${(error as Error).message}`);
  }
}

/** What the run's checkpoint holds, in a line: the files it changed and how to see or undo them. */
function checkpointLine(runId: string, checkpoint: RunCheckpoint): string {
  if (!checkpoint.after) return checkpoint.unavailable ?? 'no checkpoint';
  const count = checkpoint.filesTotal ?? checkpoint.files?.length ?? 0;
  if (!count) return 'the run changed no files';
  return `the run changed ${count} ${count === 1 ? 'file' : 'files'}: claude-pm runs changes ${runId} lists them, claude-pm runs revert ${runId} undoes them`;
}

function isolationOption(value: unknown): IsolationMode | undefined {
  if (value === undefined) return undefined;
  if (!(ISOLATION_MODES as readonly unknown[]).includes(value)) throw new UsageError(`--isolation must be ${ISOLATION_MODES.join(' or ')}, not '${String(value)}'`);
  return value as IsolationMode;
}

function positiveNumber(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number, not '${String(value)}'`);
  return n;
}

export const agentsHandlers = { agentsList: list, delegate } satisfies CliHandlers;
