import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Logger } from '../../core/common/logger';
import { hostToWebviewSchema, webviewToHostSchema, type DashboardRuns, type DashboardSnapshot, type HostToWebview } from '../../shared/protocol';

/** What the dashboard shows and what it can ask for, supplied by the composition root. */
export interface DashboardFeed {
  snapshot(): Promise<DashboardSnapshot>;
  runs(): Promise<DashboardRuns>;
  readonly onDidChangeSnapshot: vscode.Event<void>;
  /** Fires as runs progress (the Runs view's own, already coalesced, change events). */
  readonly onDidChangeRuns: vscode.Event<void>;
  revealRun(runId: string, step?: string): Promise<void>;
}

/**
 * The one webview: a dashboard panel with a strict nonce CSP, a ready handshake and typed messages.
 * State is restored by the webview's own getState/setState, so the panel does not retain its context.
 */
export class DashboardPanel implements vscode.Disposable {
  static readonly viewType = 'claudePm.dashboard';
  private static current: DashboardPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** System metrics change continuously; while visible the panel refreshes them at this pace. */
  private static readonly LIVE_INTERVAL_MS = 5000;
  /** A live run changes many times a second; the graph and the Runs card are sent at most this often. */
  private static readonly RUNS_INTERVAL_MS = 200;
  private runsTimer?: ReturnType<typeof setTimeout>;
  private runsAgain = false;

  static show(extensionUri: vscode.Uri, feed: DashboardFeed, logger: Logger): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DashboardPanel.viewType, vscode.l10n.t('Claude PM Dashboard'), vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    });
    DashboardPanel.current = new DashboardPanel(panel, extensionUri, feed, logger);
    return DashboardPanel.current;
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly feed: DashboardFeed,
    private readonly logger: Logger,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'claude-pm.svg');
    panel.webview.html = renderHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((raw: unknown) =>
        this.receive(raw).catch((error: Error) => {
          this.logger.warn(`dashboard: ${error.message}`);
          void vscode.window.showErrorMessage(error.message);
        }),
      ),
      panel.onDidChangeViewState(() => panel.visible && this.pushAll()),
      feed.onDidChangeSnapshot(() => this.push()),
      feed.onDidChangeRuns(() => this.runsSoon()),
    );
    // Also moves the running steps' elapsed times and the runs' ages along.
    const live = setInterval(() => void this.pushAll(), DashboardPanel.LIVE_INTERVAL_MS);
    this.disposables.push(new vscode.Disposable(() => clearInterval(live)), new vscode.Disposable(() => clearTimeout(this.runsTimer)));
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = webviewToHostSchema.safeParse(raw);
    if (!parsed.success) {
      this.logger.warn(`dashboard: dropped an unexpected message: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.pushAll();
      case 'runCommand':
        await vscode.commands.executeCommand(message.command);
        return;
      case 'revealRun':
        return this.feed.revealRun(message.runId, message.step);
    }
  }

  private async pushAll(): Promise<void> {
    await Promise.all([this.push(), this.pushRuns()]);
  }

  /** Sends a fresh snapshot while the panel is visible; hidden panels catch up when shown again. */
  private async push(): Promise<void> {
    await this.send(async () => ({ type: 'snapshot', snapshot: await this.feed.snapshot() }));
  }

  private async pushRuns(): Promise<void> {
    await this.send(async () => ({ type: 'runs', runs: await this.feed.runs() }));
  }

  /** Sends the runs now, then at most once per interval however often they change (the last change is never lost). */
  private runsSoon(): void {
    if (this.runsTimer) {
      this.runsAgain = true;
      return;
    }
    void this.pushRuns();
    this.runsTimer = setTimeout(() => {
      this.runsTimer = undefined;
      if (!this.runsAgain) return;
      this.runsAgain = false;
      this.runsSoon();
    }, DashboardPanel.RUNS_INTERVAL_MS);
  }

  private async send(build: () => Promise<HostToWebview>): Promise<void> {
    if (!this.ready || !this.panel.visible) return;
    let message: HostToWebview;
    try {
      message = await build();
    } catch (error) {
      this.logger.warn(`dashboard: ${(error as Error).message}`);
      message = { type: 'error', message: (error as Error).message };
    }
    await this.panel.webview.postMessage(hostToWebviewSchema.parse(message));
  }

  dispose(): void {
    DashboardPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function renderHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dashboard.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>Claude PM Dashboard</title>
</head>
<body>
<main id="app" aria-live="polite"><h1 id="title">Claude PM Dashboard</h1><p id="status">Loading…</p></main>
<script type="module" nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
