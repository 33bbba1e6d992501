import { readFile } from 'node:fs/promises';
import type { RunTrigger } from '../orchestration/runRecord';
import { DeliveryError, type DeliveryEvent } from './deliveryEvent';
import type { DeliveryLog, DeliveryRecord } from './deliveryLog';
import type { EventDispatcher, StartedRun } from './eventDispatcher';
import { settleDelivery } from './webhookServer';

/** Thrown when a delivery cannot be run again; the message says why and what to do. */
export class RedeliveryError extends Error {}

/** The accepted deliveries of the trail with what became of them, newest first. */
export async function listDeliveries(log: DeliveryLog): Promise<DeliverySummary[]> {
  const byId = new Map<string, DeliverySummary>();
  for (const record of await log.read()) {
    if (!record.deliveryId) continue;
    const key = `${record.source}:${record.deliveryId}`;
    if (record.outcome === 'accepted') byId.set(key, { source: record.source, deliveryId: record.deliveryId, event: record.event ?? '?', action: record.action, receivedAt: record.at, runs: [], payloadKept: true, accepted: record });
    const summary = byId.get(key);
    if (!summary) continue;
    if (record.outcome === 'duplicate') summary.duplicates = (summary.duplicates ?? 0) + 1;
    if (record.outcome === 'finished' || record.outcome === 'redelivered') {
      summary.runs = record.runs ?? [];
      summary.payloadKept = record.payloadKept ?? true;
      if (record.reason) summary.note = record.reason;
    }
  }
  return [...byId.values()].reverse();
}

export interface DeliverySummary {
  source: DeliveryRecord['source'];
  deliveryId: string;
  event: string;
  action?: string;
  receivedAt: string;
  runs: NonNullable<DeliveryRecord['runs']>;
  payloadKept: boolean;
  duplicates?: number;
  note?: string;
  accepted: DeliveryRecord;
}

/**
 * Runs the workflows of a delivery again from its kept payload (the payload is kept while one of its runs
 * failed); resolves once the new runs have finished.
 */
export async function redeliver(log: DeliveryLog, dispatcher: EventDispatcher, deliveryId: string, onStarted?: (runs: StartedRun[]) => void): Promise<StartedRun[]> {
  const summary = (await listDeliveries(log)).find((d) => d.deliveryId === deliveryId);
  if (!summary) throw new RedeliveryError(`no accepted delivery '${deliveryId}' in ${log.file}`);
  const payloadFile = log.payloadPath(summary.source, deliveryId);
  let body: string;
  try {
    body = await readFile(payloadFile, 'utf8');
  } catch {
    throw new RedeliveryError(`the payload of delivery '${deliveryId}' was not kept (every run it started succeeded, or it was removed); ask the sender to redeliver it`);
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(body) as Record<string, unknown>;
  } catch (error) {
    throw new DeliveryError(`${payloadFile}: not JSON: ${(error as Error).message}`);
  }
  const meta = summary.accepted.meta ?? { labels: [] };
  const event: DeliveryEvent = { source: summary.source, name: summary.event, deliveryId, labels: meta.labels ?? [], payload, ...(summary.action ? { action: summary.action } : {}) };
  for (const key of ['branch', 'tag', 'paths', 'state'] as const) if (meta[key] !== undefined) Object.assign(event, { [key]: meta[key] });
  const trigger: RunTrigger = { source: event.source, event: event.name, ...(event.action ? { action: event.action } : {}), deliveryId, receivedAt: new Date().toISOString(), payloadFile, redelivery: true };
  await log.append({ outcome: 'redelivered', source: event.source, deliveryId, event: event.name, reason: 'redelivered from the kept payload' });
  const runs = await dispatcher.dispatch(event, trigger);
  onStarted?.(runs);
  await settleDelivery(log, event, trigger, runs);
  return runs;
}
