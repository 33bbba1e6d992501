import type { Logger } from '../common/logger';
import type { RunnerKind } from '../agents/createAgentRunner';
import type { ResolvedConfig } from '../config/loadConfig';
import type { WorkflowEngine } from '../orchestration/engine';
import type { RunMemory } from '../orchestration/runMemory';
import type { RunStore } from '../orchestration/runStore';
import { createWorkflowEngine, defaultWorkflowContext, type WorkflowSetup } from '../orchestration/workflowSetup';
import { DeliveryLog } from './deliveryLog';
import { EventDispatcher } from './eventDispatcher';
import { WebhookServer, type WebhookServerOptions } from './webhookServer';

export const WEBHOOK_SECRET_ENV = 'CLAUDE_PM_WEBHOOK_SECRET';

export interface EventListenerSetup {
  root: string;
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  secret: string | undefined;
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  ratePerMinute?: number;
  runner?: RunnerKind;
  memory?: RunMemory;
  engineEvents?: WorkflowSetup['events'];
  /** An engine the host already runs (the editor's Runs view), so event runs share its limits; else one is made. */
  engine?: { engine: WorkflowEngine; store: RunStore };
  onRunsStarted?: WebhookServerOptions['onRunsStarted'];
}

/** Thrown when the listener cannot start as configured; the message says what to set. */
export class ListenerSetupError extends Error {}

/** The workspace's webhook listener, not yet listening: its engine, dispatcher and delivery trail. */
export async function createEventListener(setup: EventListenerSetup) {
  if (!setup.secret) throw new ListenerSetupError(`no webhook secret: set ${WEBHOOK_SECRET_ENV} (the same secret as in the GitHub or GitLab webhook settings)`);
  const runtime = await createEventRuntime(setup);
  const server = new WebhookServer({
    secret: setup.secret,
    host: setup.host,
    port: setup.port,
    maxBodyBytes: setup.maxBodyBytes,
    ratePerMinute: setup.ratePerMinute,
    log: runtime.log,
    dispatcher: runtime.dispatcher,
    logger: setup.logger,
    onRunsStarted: setup.onRunsStarted,
  });
  return { server, ...runtime };
}

/** What turns deliveries into runs, without the HTTP side: for the listener and for redelivery. */
export async function createEventRuntime(setup: Omit<EventListenerSetup, 'secret'>) {
  const { engine, store } = setup.engine ?? (await createWorkflowEngine({ root: setup.root, config: setup.config, env: setup.env, logger: setup.logger, runner: setup.runner, memory: setup.memory, events: setup.engineEvents }));
  const interrupted = await store.markInterrupted();
  if (interrupted.length) setup.logger.warn(`runs left running by a stopped process are now marked interrupted: ${interrupted.join(', ')}`);
  const log = await DeliveryLog.open(setup.root);
  const dispatcher = new EventDispatcher({ root: setup.root, engine, logger: setup.logger, baseContext: await defaultWorkflowContext(setup.root, setup.config, setup.env) });
  return { log, dispatcher, engine, store };
}
