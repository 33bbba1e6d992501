import { homedir } from 'node:os';
import type { Logger } from '../common/logger';
import { gitClient } from '../common/processGate';
import { knownSecrets } from '../common/redact';
import { checkpointsOption } from '../agents/delegate';
import { createAgentRunner, runnerSettingsFromConfig, type RunnerKind } from '../agents/createAgentRunner';
import type { ToolServerCommand } from '../agents/toolServer';
import { discoverAgents } from '../agents/discoverAgents';
import { defaultSystemAgentsDir } from '../agents/systemAgents';
import type { ResolvedConfig } from '../config/loadConfig';
import { z } from 'zod';
import { SystemResourceSampler } from './adaptiveConcurrency';
import { AgentPool, LOAD_BALANCING } from './agentPool';
import { WorkflowEngine, type EngineOptions } from './engine';
import type { AgentRunner } from '../agents/runner';
import type { RunMemory } from './runMemory';
import type { RunRecord } from './runRecord';
import { RunStore, type FinishedRunSink } from './runStore';
import { spendSummary } from './runSpend';
import { workflowStepRunners } from './workflowRunners';
import { emptyRecord, setOwn } from '../common/ownKeys';

export interface WorkflowSetup {
  root: string;
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  runner?: RunnerKind;
  /** How to start `claude-pm mcp` for claude runs. */
  toolServer?: ToolServerCommand;
  memory?: RunMemory;
  /** Where finished runs go besides the local history (the team database). */
  finishedRuns?: FinishedRunSink;
  events?: Pick<EngineOptions, 'onLog' | 'onUpdate' | 'onAlert' | 'onEvent'>;
}

/** An engine wired to the workspace: its config limits, agent catalog, runners and run history. */
export async function createWorkflowEngine(setup: WorkflowSetup): Promise<{ engine: WorkflowEngine; store: RunStore }> {
  const { root, config, env, logger } = setup;
  const catalog = await discoverAgents({ projectRoot: root, homeDir: env.HOME || env.USERPROFILE || homedir(), systemDir: defaultSystemAgentsDir() }).catch((error: Error) => {
    logger.warn(`agents could not be read, running without role prompts: ${error.message}`);
    return undefined;
  });
  const newRunner = () => createAgentRunner(runnerSettingsFromConfig(config, { kind: setup.runner, env, toolServer: setup.toolServer }));
  const settings = orchestrationSettings(config, logger);
  const pools: Record<string, AgentRunner> = emptyRecord();
  for (const [type, pool] of Object.entries(settings.agent_pools ?? {})) {
    const instances = Array.from({ length: pool.instances }, (_, i) => ({ id: `${type}-${i + 1}`, runner: newRunner(), weight: pool.weights?.[i] }));
    pools[type] = new AgentPool(instances, pool.strategy, pool.failure_threshold);
  }
  const store = new RunStore(root, setup.finishedRuns);
  const sampler = new SystemResourceSampler();
  const engine = new WorkflowEngine({
    cwd: root,
    runners: workflowStepRunners({ agentRunner: newRunner(), catalog, env, pools }),
    errorRateThreshold: settings.error_rate_threshold,
    adaptive: settings.adaptive_concurrency === false ? undefined : { sample: () => sampler.sample(), intervalMs: ADAPT_INTERVAL_MS },
    maxConcurrentAgents: config.orchestrator.maxConcurrentAgents,
    perAgentLimits: config.orchestrator.perAgentLimits,
    defaultStepTimeoutMs: config.orchestrator.agentTimeoutMs,
    secrets: knownSecrets(env),
    checkpoints: checkpointsOption(config.agents.checkpointsKept),
    memory: setup.memory,
    store,
    logger,
    ...setup.events,
  });
  return { engine, store };
}

const ADAPT_INTERVAL_MS = 5000;

// Our keys under `orchestrator` in .claude-pm/config.json, read here so the shared schema stays small:
//   "agent_pools": { "engineer": { "instances": 3, "strategy": "least_busy", "failure_threshold": 3 } }
//   "adaptive_concurrency": false   (on by default)
//   "error_rate_threshold": 0.5
const orchestrationSettingsSchema = z
  .object({
    agent_pools: z
      .record(
        z.string(),
        z.object({
          instances: z.number().int().min(1).max(16),
          strategy: z.enum(LOAD_BALANCING).default('round_robin'),
          weights: z.array(z.number().int().min(1).max(100)).optional(),
          failure_threshold: z.number().int().min(1).max(100).default(3),
        }),
      )
      .optional(),
    adaptive_concurrency: z.boolean().optional(),
    /** Share of failed recent runs of a workflow (0–1) above which an alert is raised. */
    error_rate_threshold: z.number().min(0).max(1).optional(),
  })
  .loose();

function orchestrationSettings(config: ResolvedConfig, logger: Logger): z.infer<typeof orchestrationSettingsSchema> {
  const parsed = orchestrationSettingsSchema.safeParse(config.file.orchestrator ?? {});
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) logger.warn(`${config.configPath}: orchestrator.${issue.path.join('.')}: ${issue.message}; ignored`);
  return {};
}

/**
 * The context conditions see when the caller gives none: the current git branch, whether this is a pull
 * request build (GitHub Actions / GitLab CI variables), whether it runs in CI, and the environment.
 */
export async function defaultWorkflowContext(root: string, config: ResolvedConfig, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  // No branch when git cannot answer: not a repository, no git, or processes blocked in Restricted Mode.
  const branch = await Promise.resolve()
    .then(() => gitClient({ baseDir: root }).revparse(['--abbrev-ref', 'HEAD']))
    .then((b) => b.trim(), () => undefined);
  const context: Record<string, unknown> = {
    pull_request: env.GITHUB_EVENT_NAME === 'pull_request' || env.GITHUB_EVENT_NAME === 'pull_request_target' || Boolean(env.CI_MERGE_REQUEST_IID),
    ci: Boolean(env.CI),
    environment: config.environment,
  };
  const ref = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.CI_COMMIT_REF_NAME || branch;
  if (ref) context.branch = ref;
  if (env.GITHUB_REF_TYPE === 'tag' && env.GITHUB_REF_NAME) context.tag = env.GITHUB_REF_NAME;
  else if (env.CI_COMMIT_TAG) context.tag = env.CI_COMMIT_TAG;
  return context;
}

/** `k=v` pairs from the command line; `true`/`false`/`null` and numbers become those values. */
export function parseContextPairs(pairs: readonly string[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`context '${pair}' is not key=value`);
    const key = pair.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) throw new Error(`context key '${key}' must start with a letter or _ and hold only letters, digits, _ and -`);
    setOwn(context, key, coerce(pair.slice(eq + 1)));
  }
  return context;
}

function coerce(raw: string): unknown {
  const lower = raw.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null' || lower === 'none') return null;
  if (/^-?\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  return raw;
}

/** The JSON a run reports: id, status, and per step its status, attempts, duration and output tail. */
export function runSummary(run: RunRecord) {
  return {
    id: run.id,
    workflow: run.workflow,
    status: run.status,
    selectedVia: run.selectedVia ?? [],
    startedAt: run.startedAt,
    durationMs: run.durationMs ?? null,
    ...spendSummary(run),
    budgetUsd: run.budgetUsd ?? null,
    error: run.error ?? null,
    alerts: run.alerts,
    steps: run.steps.map((s) => ({
      name: s.name,
      agentType: s.ranAs ?? s.agentType,
      status: s.status,
      attempts: s.attempts,
      durationMs: s.durationMs ?? null,
      outputTail: s.outputTail ?? '',
      error: s.error ?? null,
      model: s.model ?? null,
      ...spendSummary(s),
      memories: s.memories ?? [],
      isolation: s.isolation ?? null,
    })),
  };
}
