import pg from 'pg';
import { poolConfig } from './connection';
import { CHANGES_CHANNEL } from './schema';

export interface TeamChange {
  table: 'memories' | 'runs';
  op: 'INSERT' | 'UPDATE' | 'DELETE';
  id: string;
}

export interface ChangeFeedOptions {
  onError?: (message: string) => void;
  /** Delay before listening again after the connection dropped. */
  reconnectMs?: number;
}

interface Subscriber {
  onChange: (change: TeamChange) => void;
  onResync: () => void;
}

/**
 * Teammates' changes as they commit, from PostgreSQL's LISTEN/NOTIFY on one dedicated connection (a pooled one would
 * lose its LISTEN when returned). After a dropped connection it listens again and reports `resync`, since changes
 * committed meanwhile were not announced to it.
 */
export class ChangeFeed {
  private client: pg.Client | undefined;
  private starting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly subscribers = new Set<Subscriber>();

  constructor(
    private readonly url: string,
    onChange?: (change: TeamChange) => void,
    onResync?: () => void,
    private readonly options: ChangeFeedOptions = {},
  ) {
    if (onChange) this.subscribe(onChange, onResync);
  }

  /** Another listener on the same connection; returns how to stop listening. */
  subscribe(onChange: (change: TeamChange) => void, onResync: () => void = () => undefined): () => void {
    const subscriber = { onChange, onResync };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** How many listen now. */
  get listeners(): number {
    return this.subscribers.size;
  }

  start(): Promise<void> {
    this.starting ??= this.listen().catch((error: unknown) => {
      this.starting = undefined;
      this.scheduleRetry(error);
    });
    return this.starting;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client(poolConfig(this.url, { application_name: 'claude-pm-listen' }));
    client.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL || !message.payload) return;
      let change: TeamChange;
      try {
        change = JSON.parse(message.payload) as TeamChange;
      } catch {
        return; // A payload we cannot read (a newer schema): the next resync covers it.
      }
      for (const subscriber of this.subscribers) subscriber.onChange(change);
    });
    client.on('error', (error) => {
      if (this.client === client) this.client = undefined;
      this.starting = undefined;
      void client.end().catch(() => undefined);
      this.scheduleRetry(error);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    if (this.disposed) {
      await client.end();
      return;
    }
    this.client = client;
  }

  private scheduleRetry(error: unknown): void {
    if (this.disposed || this.retry) return;
    this.options.onError?.(String((error as Error)?.message ?? error));
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.start().then(() => {
        if (this.client) for (const subscriber of this.subscribers) subscriber.onResync();
      });
    }, this.options.reconnectMs ?? 2000);
    this.retry.unref();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.starting?.catch(() => undefined);
    await this.client?.end().catch(() => undefined);
    this.client = undefined;
  }
}

/** A listener on the process's one feed for a database: memory, runs and the dashboard share its connection. */
export interface SharedChangeFeed {
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const sharedFeeds = new Map<string, ChangeFeed>();

/**
 * Listens on the one LISTEN connection this process keeps per database URL, opening it for the first listener and
 * closing it after the last one leaves.
 */
export function shareChangeFeed(url: string, onChange: (change: TeamChange) => void, onResync?: () => void, options: ChangeFeedOptions = {}): SharedChangeFeed {
  let feed = sharedFeeds.get(url);
  if (!feed) sharedFeeds.set(url, (feed = new ChangeFeed(url, undefined, undefined, options)));
  const mine = feed;
  const unsubscribe = mine.subscribe(onChange, onResync);
  let left = false;
  return {
    start: () => mine.start(),
    async dispose() {
      if (left) return;
      left = true;
      unsubscribe();
      if (mine.listeners > 0) return;
      if (sharedFeeds.get(url) === mine) sharedFeeds.delete(url);
      await mine.dispose();
    },
  };
}
