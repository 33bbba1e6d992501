import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { header, type WebhookSource } from './signature';

// One verified delivery in the shape triggers match on, whichever forge sent it. GitHub's event and action
// names are the common vocabulary; GitLab's `X-Gitlab-Event` names and `object_attributes.action` verbs map
// onto them, so one `triggers:` list serves both.

export interface DeliveryEvent {
  source: WebhookSource;
  /** Normalised event name: push, pull_request, issues, deployment_status, release, … */
  name: string;
  action?: string;
  /** The sender's delivery id (replay key); a hash of the body when the sender gives none. */
  deliveryId: string;
  branch?: string;
  tag?: string;
  /** Files the push touched; undefined when the payload does not list them (then path filters match). */
  paths?: string[];
  /** deployment_status state: success, failure, error, pending, … */
  state?: string;
  labels: string[];
  payload: Record<string, unknown>;
}

/** Thrown for a verified delivery whose content we cannot use: answered 400. */
export class DeliveryError extends Error {}

const GITLAB_EVENTS = new Map<string, string>([
  ['push hook', 'push'],
  ['tag push hook', 'push'],
  ['merge request hook', 'pull_request'],
  ['issue hook', 'issues'],
  ['confidential issue hook', 'issues'],
  ['deployment hook', 'deployment_status'],
  ['release hook', 'release'],
  ['pipeline hook', 'workflow_run'],
  ['note hook', 'issue_comment'],
  ['confidential note hook', 'issue_comment'],
]);

const GITLAB_ACTIONS = new Map<string, string>([
  ['open', 'opened'],
  ['close', 'closed'],
  ['reopen', 'reopened'],
  ['update', 'edited'],
  ['merge', 'closed'],
  ['approved', 'approved'],
  ['create', 'created'],
]);

const GITLAB_STATES = new Map<string, string>([
  ['failed', 'failure'],
  ['canceled', 'cancelled'],
]);

/** Parses a verified body and normalises it; a body that is not a JSON object is a DeliveryError. */
export function toDeliveryEvent(source: WebhookSource, headers: IncomingHttpHeaders, body: Buffer): DeliveryEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new DeliveryError(`the body is not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(parsed)) throw new DeliveryError('the body is not a JSON object');
  const payload = parsed;
  const deliveryId = deliveryIdOf(source, headers) ?? `sha256-${createHash('sha256').update(body).digest('hex').slice(0, 32)}`;
  if (source === 'gitlab') return gitlabEvent(headers, payload, deliveryId);
  const name = (source === 'github' ? header(headers, 'x-github-event') : (header(headers, 'x-event-name') ?? str(payload.event)))?.trim();
  if (!name) throw new DeliveryError(source === 'github' ? 'missing X-GitHub-Event' : 'name the event in X-Event-Name or an "event" field');
  return githubShaped(source, name, payload, deliveryId);
}

function deliveryIdOf(source: WebhookSource, headers: IncomingHttpHeaders): string | undefined {
  const id =
    source === 'github'
      ? header(headers, 'x-github-delivery')
      : source === 'gitlab'
        ? (header(headers, 'idempotency-key') ?? header(headers, 'x-gitlab-event-uuid'))
        : header(headers, 'x-delivery-id');
  const trimmed = id?.trim();
  if (trimmed && trimmed.length > 200) throw new DeliveryError('the delivery id is longer than 200 characters');
  return trimmed || undefined;
}

function githubShaped(source: WebhookSource, name: string, payload: Record<string, unknown>, deliveryId: string): DeliveryEvent {
  const event: DeliveryEvent = { source, name, deliveryId, labels: [], payload };
  const action = str(payload.action);
  if (action) event.action = action;
  if (name === 'push') Object.assign(event, refParts(str(payload.ref)), { paths: pushPaths(payload.commits) });
  const pr = rec(payload.pull_request);
  if (pr) {
    event.branch = str(rec(pr.base)?.ref);
    event.labels = labelNames(pr.labels, 'name');
  }
  const issue = rec(payload.issue);
  if (issue && !pr) event.labels = labelNames(issue.labels, 'name');
  const status = rec(payload.deployment_status);
  if (status) {
    event.state = str(status.state);
    event.branch = str(rec(payload.deployment)?.ref);
  }
  const run = rec(payload.workflow_run);
  if (run) {
    event.state = str(run.conclusion) ?? str(run.status);
    event.branch = str(run.head_branch);
  }
  // Other events that name a full ref (workflow_job, a generic sender's own events) get their branch from it too.
  if (event.branch === undefined && event.tag === undefined) Object.assign(event, refParts(str(payload.ref)));
  return prune(event);
}

function gitlabEvent(headers: IncomingHttpHeaders, payload: Record<string, unknown>, deliveryId: string): DeliveryEvent {
  const raw = header(headers, 'x-gitlab-event')?.trim();
  if (!raw) throw new DeliveryError('missing X-Gitlab-Event');
  const name = GITLAB_EVENTS.get(raw.toLowerCase()) ?? raw.toLowerCase().replace(/ hook$/, '').replace(/\s+/g, '_');
  const event: DeliveryEvent = { source: 'gitlab', name, deliveryId, labels: labelNames(payload.labels, 'title'), payload };
  const attrs = rec(payload.object_attributes);
  if (name === 'push') Object.assign(event, refParts(str(payload.ref)), { paths: pushPaths(payload.commits) });
  if (name === 'pull_request' && attrs) {
    event.branch = str(attrs.target_branch);
    const verb = str(attrs.action);
    // An MR `update` that moved the source branch (it carries `oldrev`) is GitHub's `synchronize`.
    event.action = verb === 'update' && attrs.oldrev ? 'synchronize' : verb && (GITLAB_ACTIONS.get(verb) ?? verb);
  }
  if (name === 'issues' && attrs) {
    const verb = str(attrs.action);
    event.action = verb && (GITLAB_ACTIONS.get(verb) ?? verb);
  }
  if (name === 'deployment_status') {
    const status = str(payload.status);
    event.state = status && (GITLAB_STATES.get(status) ?? status);
    event.branch = str(payload.ref);
  }
  if (name === 'workflow_run' && attrs) {
    const status = str(attrs.status);
    event.state = status && (GITLAB_STATES.get(status) ?? status);
    event.branch = str(attrs.ref);
  }
  return prune(event);
}

function refParts(ref: string | undefined): { branch?: string; tag?: string } {
  if (ref?.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length) };
  if (ref?.startsWith('refs/tags/')) return { tag: ref.slice('refs/tags/'.length) };
  return {};
}

/** Every file added, modified or removed by the pushed commits; undefined when no commit lists any. */
function pushPaths(commits: unknown): string[] | undefined {
  if (!Array.isArray(commits)) return undefined;
  const paths = new Set<string>();
  for (const commit of commits) {
    const c = rec(commit);
    for (const key of ['added', 'modified', 'removed'] as const) {
      const list = c?.[key];
      if (Array.isArray(list)) for (const p of list) if (typeof p === 'string') paths.add(p);
    }
  }
  return paths.size ? [...paths] : undefined;
}

function labelNames(labels: unknown, key: 'name' | 'title'): string[] {
  if (!Array.isArray(labels)) return [];
  return labels.map((l) => (typeof l === 'string' ? l : str(rec(l)?.[key]))).filter((l): l is string => Boolean(l));
}

function prune(event: DeliveryEvent): DeliveryEvent {
  for (const key of ['action', 'branch', 'tag', 'paths', 'state'] as const) if (event[key] === undefined) delete event[key];
  return event;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rec(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
