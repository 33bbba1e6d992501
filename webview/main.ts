// Dashboard webview: renders host snapshots with VS Code Elements; colours come from --vscode-* variables.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { hostToWebviewSchema, type DashboardSnapshot, type WebviewToHost } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;

function render(snapshot: DashboardSnapshot): void {
  const health = snapshot.health;
  const cards: string[] = [
    card('Health', health ? `<p class="score score-${health.status}" id="health-score">${health.score}</p><p>${escapeHtml(health.status)}</p>` : '<p>Not checked yet.</p>'),
    card('Counts', Object.entries(snapshot.counts).map(([area, values]) => `<h3>${escapeHtml(area)}</h3><ul>${Object.entries(values).map(([k, v]) => `<li>${escapeHtml(k)}: ${v}</li>`).join('')}</ul>`).join('') || '<p>No data yet.</p>'),
    card('System', `<ul><li>Extension host memory: ${snapshot.system.processRssMb.toFixed(0)} MB</li><li>System memory used: ${snapshot.system.systemMemoryUsedPercent.toFixed(0)}%</li><li>Load (1 min): ${snapshot.system.systemLoad1.toFixed(2)} on ${snapshot.system.cpuCount} CPUs</li></ul>`),
  ];
  app.innerHTML = `<header><h1 id="title">Claude PM Dashboard</h1><vscode-button id="refresh" secondary>Refresh</vscode-button></header><section class="cards">${cards.join('')}</section><footer>Updated ${escapeHtml(new Date(snapshot.generatedAt).toLocaleTimeString())}</footer>`;
  document.getElementById('refresh')?.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
}

function card(title: string, body: string): string {
  return `<article class="card" aria-label="${escapeHtml(title)}"><h2>${escapeHtml(title)}</h2>${body}</article>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = hostToWebviewSchema.safeParse(event.data);
  if (!parsed.success) return;
  if (parsed.data.type === 'snapshot') {
    vscode.setState(parsed.data.snapshot);
    render(parsed.data.snapshot);
  } else {
    app.insertAdjacentHTML('beforeend', `<p class="error" role="alert">${escapeHtml(parsed.data.message)}</p>`);
  }
});

const restored = hostToWebviewSchema.safeParse({ type: 'snapshot', snapshot: vscode.getState() });
if (restored.success && restored.data.type === 'snapshot') render(restored.data.snapshot);
vscode.postMessage({ type: 'ready' });
