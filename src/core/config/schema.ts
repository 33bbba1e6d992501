import { z } from 'zod';
import { MAX_TIMER_SECONDS } from '../common/timerLimits';
import { timerMillisecondsSchema, timerSecondsSchema } from '../common/timerLimitSchema';

// `.claude-pm/config.json`: the real framework's fields (formats.md §1) plus ours.
// Every object is `.passthrough()` so keys we do not know survive a rewrite.

export const ENVIRONMENTS = ['development', 'testing', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const environmentSchema = z.enum(ENVIRONMENTS);

export const MEMORY_BACKENDS = ['embedded', 'mem0', 'mem0-platform', 'postgres'] as const;
export type MemoryBackendKind = (typeof MEMORY_BACKENDS)[number];
export type Mem0BackendKind = Extract<MemoryBackendKind, 'mem0' | 'mem0-platform'>;

/** The backends that are a mem0 service reached with an API key (the others: a local folder, the team database). */
export function isMem0Backend(backend: MemoryBackendKind): backend is Mem0BackendKind {
  return backend === 'mem0' || backend === 'mem0-platform';
}

export const memoryServiceSchema = z
  .object({
    backend: z.enum(MEMORY_BACKENDS).optional(),
    /** Full base URL; wins over host/port/use_tls when given. */
    url: z.string().url().optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** Seconds, as in the framework's MEM0AI_TIMEOUT. */
    timeout: timerSecondsSchema().optional(),
    use_tls: z.boolean().optional(),
    verify_ssl: z.boolean().optional(),
    user_id: z.string().min(1).optional(),
    org_id: z.string().min(1).optional(),
    project_id: z.string().min(1).optional(),
  })
  .passthrough();

export const orchestratorSchema = z
  .object({
    max_agents: z.number().int().min(1).max(64).optional(),
    /** Seconds per agent step. */
    agent_timeout: timerSecondsSchema().optional(),
    per_agent_limits: z.record(z.string(), z.number().int().min(1)).optional(),
  })
  .passthrough();

export const healthServiceSchema = z
  .object({
    name: z.string().min(1),
    url: z.string().url(),
    critical: z.boolean().default(false),
    timeout_ms: timerMillisecondsSchema().default(5000),
  })
  .passthrough();

export const healthSchema = z
  .object({
    services: z.array(healthServiceSchema).optional(),
    disable_default_services: z.boolean().optional(),
    interval_seconds: z.number().int().min(10).max(MAX_TIMER_SECONDS).optional(),
    /** Extra project folders to check besides the workspace folders. */
    projects: z.array(z.string().min(1)).optional(),
    alert_threshold: z.number().min(0).max(100).optional(),
  })
  .passthrough();

/** Claude Code's `--permission-mode` values. */
export const AGENT_PERMISSION_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'plan'] as const;
export type AgentPermissionMode = (typeof AGENT_PERMISSION_MODES)[number];

export const agentsSchema = z
  .object({
    runner: z.enum(['claude', 'command']).optional(),
    /** Shell command templates for the command runner, by agent type (e.g. qa → "npm test"). */
    commands: z.record(z.string(), z.string().min(1)).optional(),
    /** Claude Code's tool permissions for delegated runs (`--permission-mode`); acceptEdits when unset. */
    permission_mode: z.enum(AGENT_PERMISSION_MODES).optional(),
    /** Checkpoints of the working tree kept for the last this many runs (git repositories only); 0 takes none. */
    checkpoints_kept: z.number().int().min(0).max(1000).optional(),
  })
  .passthrough();

export const TEMPLATE_TARGETS = ['parent', 'project', 'claudePmDir'] as const;
export type TemplateTarget = (typeof TEMPLATE_TARGETS)[number];

export const ticketsSchema = z
  .object({
    /** The ticket root, relative to the project; the VS Code setting claudePm.tickets.root wins in the editor. */
    root: z.string().min(1).optional(),
    /** Show every folder that holds tickets, not only the root in use. */
    show_all_roots: z.boolean().optional(),
  })
  .passthrough();

export const syncSchema = z
  .object({
    github: z
      .object({
        /** `owner/name` synced when the command names none. */
        repo: z.string().min(1).optional(),
        /** GitHub Enterprise Server (`https://HOST/api/v3`); the token goes there only if the user allowed that origin too. */
        base_url: z.string().url().optional(),
        /** New tickets of a milestone's issues go under an epic made for that milestone. */
        milestone_as_epic: z.boolean().optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const templatesSchema = z
  .object({
    /** Where CLAUDE.md is deployed (the VS Code setting claudePm.templates.target wins in the editor). */
    target: z.enum(TEMPLATE_TARGETS).optional(),
    /** A master template to use instead of the shipped one, relative to the project. */
    master: z.string().min(1).optional(),
  })
  .passthrough();

/** `deployment.environments.<name>`: what `claude-pm deploy --environment NAME` applies. */
export const deploymentEnvironmentSchema = z
  .object({
    /** Template variables of this environment; they win over the top-level `template_variables`. */
    variables: z.record(z.string(), z.string()).optional(),
    /** The folder CLAUDE.md is deployed into, relative to the project (never outside it). */
    target: z.string().min(1).optional(),
  })
  .passthrough();

export const deploymentSchema = z.object({ environments: z.record(z.string().min(1), deploymentEnvironmentSchema).optional() }).passthrough();

export const configFileSchema = z
  .object({
    // Real framework fields (v0.9 working-directory deployment).
    version: z.union([z.string(), z.number()]).optional(),
    deployment_type: z.string().optional(),
    framework_version: z.string().optional(),
    working_directory: z.string().optional(),
    features: z.record(z.string(), z.unknown()).optional(),
    paths: z.record(z.string(), z.string()).optional(),
    // Ours.
    environment: environmentSchema.optional(),
    memory_service: memoryServiceSchema.optional(),
    orchestrator: orchestratorSchema.optional(),
    health: healthSchema.optional(),
    agents: agentsSchema.optional(),
    template_variables: z.record(z.string(), z.string()).optional(),
    templates: templatesSchema.optional(),
    deployment: deploymentSchema.optional(),
    tickets: ticketsSchema.optional(),
    sync: syncSchema.optional(),
    logging: z.object({ level: z.string().optional() }).passthrough().optional(),
  })
  .passthrough();

export type ConfigFile = z.infer<typeof configFileSchema>;
export type DeploymentEnvironment = z.infer<typeof deploymentEnvironmentSchema>;
export type HealthServiceConfig = z.infer<typeof healthServiceSchema>;
