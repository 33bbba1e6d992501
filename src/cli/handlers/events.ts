import type { RunnerKind } from '../../core/agents/createAgentRunner';
import { countOf } from '../../core/common/plural';
import { DeliveryLog } from '../../core/events/deliveryLog';
import { createEventListener, createEventRuntime, ListenerSetupError, WEBHOOK_SECRET_ENV } from '../../core/events/eventListener';
import { listDeliveries, redeliver, RedeliveryError } from '../../core/events/redeliver';
import { DEFAULT_HOST, DEFAULT_MAX_BODY_BYTES, DEFAULT_PORT, DEFAULT_RATE_PER_MINUTE } from '../../core/events/webhookServer';
import { formatLogLine } from '../../core/orchestration/engine';
import { requireArg, UsageError, type CliHandler, type CliHandlers } from '../framework';

const DEFAULT_GRACE_SECONDS = 30;

const serve: CliHandler = async (ctx, values) => {
  const port = wholeNumber(values.port, '--port', DEFAULT_PORT, 0, 65535);
  const maxBodyBytes = wholeNumber(values['max-body-bytes'], '--max-body-bytes', DEFAULT_MAX_BODY_BYTES, 1);
  const ratePerMinute = wholeNumber(values['rate-limit'], '--rate-limit', DEFAULT_RATE_PER_MINUTE, 1);
  const graceSeconds = wholeNumber(values.grace, '--grace', DEFAULT_GRACE_SECONDS, 0);
  const runner = runnerKind(values.runner);
  const host = typeof values.host === 'string' ? values.host : DEFAULT_HOST;
  let listener;
  try {
    listener = await createEventListener({
      root: ctx.cwd,
      config: await ctx.config(),
      env: ctx.env,
      logger: ctx.logger,
      secret: ctx.env[WEBHOOK_SECRET_ENV],
      host,
      port,
      maxBodyBytes,
      ratePerMinute,
      runner,
      engineEvents: { onLog: (line) => ctx.logger.info(formatLogLine(line)) },
      onRunsStarted: (event, runs) =>
        ctx.logger.info(`${event.source} ${event.name}${event.action ? ` (${event.action})` : ''} delivery ${event.deliveryId}: ${runs.length ? `started ${runs.map((r) => `${r.workflow} (${r.handle.id})`).join(', ')}` : 'no workflow triggers match'}`),
    });
  } catch (error) {
    if (error instanceof ListenerSetupError) throw new UsageError(error.message);
    throw error;
  }
  const address = await listener.server.listen();
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  ctx.logger.info(`listening on ${url}: POST /webhooks/github, /webhooks/gitlab, /webhooks/generic; GET /healthz`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stop = (s: NodeJS.Signals) => {
      process.removeListener('SIGTERM', stop);
      process.removeListener('SIGINT', stop);
      resolve(s);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  ctx.logger.info(`${signal}: no new deliveries; waiting up to ${graceSeconds} s for ${countOf(listener.server.activeRuns.length, 'running run')}`);
  const summary = await listener.server.shutdown(graceSeconds * 1000);
  ctx.print({ url, ...listener.server.stats, ...summary }, `stopped: ${countOf(summary.finished, 'run')} finished, ${summary.cancelled} stopped after the grace period, ${countOf(summary.notStarted, 'accepted delivery', 'accepted deliveries')} not started and kept for redelivery`);
  return 0;
};

const list: CliHandler = async (ctx, values) => {
  const limit = wholeNumber(values.limit, '--limit', 20, 1);
  const shown = (await listDeliveries(await DeliveryLog.open(ctx.cwd))).slice(0, limit);
  ctx.print(
    { deliveries: shown.map(({ accepted: _accepted, ...d }) => d) },
    () =>
      shown.length
        ? shown
            .map((d) => `${d.receivedAt}  ${d.source} ${d.event}${d.action ? ` (${d.action})` : ''}  ${d.deliveryId}  ${d.runs.length ? d.runs.map((r) => `${r.workflow}: ${r.status ?? 'running'}`).join(', ') : (d.note ?? 'no runs')}${d.payloadKept ? '  [payload kept]' : ''}`)
            .join('\n')
        : 'No webhook deliveries yet.',
  );
  return 0;
};

const redeliverCommand: CliHandler = async (ctx, values, positionals) => {
  const deliveryId = requireArg(positionals, 0, 'DELIVERY_ID');
  const runner = runnerKind(values.runner);
  const { log, dispatcher } = await createEventRuntime({
    root: ctx.cwd,
    config: await ctx.config(),
    env: ctx.env,
    logger: ctx.logger,
    runner,
    engineEvents: { onLog: (line) => ctx.logger.info(formatLogLine(line)) },
  });
  let runs;
  try {
    runs = await redeliver(log, dispatcher, deliveryId);
  } catch (error) {
    if (error instanceof RedeliveryError) {
      ctx.logger.error(error.message);
      return 1;
    }
    throw error;
  }
  const records = await Promise.all(runs.map((r) => r.handle.done));
  ctx.print({ deliveryId, runs: records.map((r) => ({ workflow: r.workflow, id: r.id, status: r.status })) }, records.length ? records.map((r) => `${r.workflow}: ${r.status} (run ${r.id})`).join('\n') : 'No workflow triggers match this delivery any more.');
  return records.every((r) => r.status === 'succeeded') ? 0 : 1;
};

function wholeNumber(raw: unknown, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`${name} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, not '${String(raw)}'`);
  return value;
}

function runnerKind(raw: unknown): RunnerKind | undefined {
  if (raw === undefined) return undefined;
  if (raw !== 'claude' && raw !== 'command') throw new UsageError(`--runner must be claude or command, not '${String(raw)}'`);
  return raw;
}

export const eventsHandlers = { serve, eventsList: list, eventsRedeliver: redeliverCommand } satisfies CliHandlers;
