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

  constructor(
    private readonly url: string,
    private readonly onChange: (change: TeamChange) => void,
    private readonly onResync: () => void,
    private readonly options: ChangeFeedOptions = {},
  ) {}

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
      try {
        this.onChange(JSON.parse(message.payload) as TeamChange);
      } catch {
        // A payload we cannot read (a newer schema): the next resync covers it.
      }
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
        if (this.client) this.onResync();
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
