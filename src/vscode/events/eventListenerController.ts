import * as vscode from 'vscode';
import { createEventListener, createEventRuntime } from '../../core/events/eventListener';
import { redeliver } from '../../core/events/redeliver';
import type { WebhookServer } from '../../core/events/webhookServer';
import { readWindowSettings } from '../common/settings';
import type { FeatureContext } from '../featureContext';
import type { RunsController } from '../orchestration/runsController';

const LISTENING_CONTEXT = 'claudePm.events.listening';
const SHUTDOWN_GRACE_MS = 10_000;

interface Listening {
  folder: vscode.WorkspaceFolder;
  server: WebhookServer;
  url: string;
}

/**
 * The editor's event listener: one folder's webhook server, its runs shown in the Runs view (they run on the
 * Runs view's engine), and a status-bar item while it listens.
 */
export class EventListenerController implements vscode.Disposable {
  private listening?: Listening;
  private readonly item = vscode.window.createStatusBarItem('claudePm.events', vscode.StatusBarAlignment.Left, 9);
  private readonly configListener: vscode.Disposable;

  constructor(
    private readonly features: FeatureContext,
    private readonly runs: RunsController,
  ) {
    this.item.name = vscode.l10n.t('Claude PM Event Listener');
    this.item.command = 'claudePm.events.stopListener';
    this.configListener = vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('claudePm.events.statusBar') && this.updateStatus());
  }

  get isListening(): boolean {
    return this.listening !== undefined;
  }

  async start(): Promise<void> {
    if (this.listening) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The event listener is already listening on {0}.', this.listening.url));
      return;
    }
    const folder = await this.features.sessions.resolveFolder(undefined, vscode.l10n.t('Whose workflows should webhook deliveries start?'));
    if (!folder) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder first: the event listener runs the workflows of a workspace folder.'));
      return;
    }
    const secret = (await this.features.keys.webhookSecret()) ?? (await this.askSecret());
    if (!secret) return;
    const session = await this.features.sessions.get(folder);
    const { eventsHost: host, eventsPort: port } = session.settings;
    const listener = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Starting the event listener…') }, async () =>
      createEventListener({
        root: session.root,
        config: session.config,
        env: process.env,
        logger: session.logger,
        secret,
        host,
        port,
        engine: await this.runs.engineFor(folder),
        onRunsStarted: (event, started) => {
          this.features.logger.info(`${event.source} ${event.name} delivery ${event.deliveryId}: ${started.length ? started.map((r) => r.workflow).join(', ') : 'no workflow triggers match'}`);
          for (const run of started) void this.runs.track(folder, run.handle);
        },
      }),
    );
    let address;
    try {
      address = await listener.server.listen();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new Error(vscode.l10n.t('Port {0} is in use. Pick another one in the setting claudePm.events.port.', port));
      throw error;
    }
    const url = `http://${address.address}:${address.port}`;
    this.listening = { folder, server: listener.server, url };
    this.features.logger.info(`event listener for ${folder.name} on ${url}`);
    void vscode.commands.executeCommand('setContext', LISTENING_CONTEXT, true);
    this.updateStatus();
    void vscode.window.showInformationMessage(vscode.l10n.t('Listening for webhooks on {0}/webhooks/github, /webhooks/gitlab and /webhooks/generic.', url));
  }

  async stop(): Promise<void> {
    const current = this.listening;
    if (!current) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The event listener is not running.'));
      return;
    }
    this.listening = undefined;
    void vscode.commands.executeCommand('setContext', LISTENING_CONTEXT, false);
    this.updateStatus();
    const summary = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping the event listener; running runs get {0} seconds to finish…', SHUTDOWN_GRACE_MS / 1000) }, () =>
      current.server.shutdown(SHUTDOWN_GRACE_MS),
    );
    if (summary.cancelled) void vscode.window.showWarningMessage(vscode.l10n.t('The event listener stopped; runs stopped before they finished: {0}.', summary.cancelled));
  }

  /** Runs the workflows of the delivery that started `runId` again, from its kept payload. */
  async redeliver(folder: vscode.WorkspaceFolder, deliveryId: string): Promise<void> {
    const session = await this.features.sessions.get(folder);
    const runtime = await createEventRuntime({ root: session.root, config: session.config, env: process.env, logger: session.logger, engine: await this.runs.engineFor(folder) });
    await redeliver(runtime.log, runtime.dispatcher, deliveryId, (started) => {
      for (const run of started) void this.runs.track(folder, run.handle);
      if (!started.length) void vscode.window.showInformationMessage(vscode.l10n.t('No workflow triggers match delivery {0} any more.', deliveryId));
    });
  }

  async setSecret(): Promise<void> {
    await this.askSecret();
  }

  private async askSecret(): Promise<string | undefined> {
    const secret = await vscode.window.showInputBox({
      title: vscode.l10n.t('Webhook Secret'),
      prompt: vscode.l10n.t('The secret set in the GitHub or GitLab webhook settings. It is kept in the editor\'s secret storage.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length < 8 ? vscode.l10n.t('Use at least 8 characters.') : undefined),
    });
    if (!secret) return undefined;
    await this.features.keys.storeWebhookSecret(secret.trim());
    return secret.trim();
  }

  private updateStatus(): void {
    const current = this.listening;
    if (!current || !readWindowSettings().eventsStatusBar) {
      this.item.hide();
      return;
    }
    this.item.text = `$(radio-tower) ${current.url.replace(/^http:\/\//, '')}`;
    this.item.tooltip = vscode.l10n.t('Claude PM is listening for webhooks for {0} on {1}. Click to stop.', current.folder.name, current.url);
    this.item.accessibilityInformation = { label: vscode.l10n.t('Claude PM event listener on {0}', current.url) };
    this.item.show();
  }

  dispose(): void {
    const current = this.listening;
    this.listening = undefined;
    // Deactivation cannot wait long: running runs get a short grace period, then their processes are stopped.
    if (current) void current.server.shutdown(2000);
    this.configListener.dispose();
    this.item.dispose();
  }
}
