import * as vscode from 'vscode';
import type { ComplianceItem } from '../../core/common/compliance';
import { countOf } from '../../core/common/plural';
import type { DiagnosticStep } from '../../core/health/diagnostics';
import { INIT_LAYOUT_COMMAND } from '../../core/health/layoutCompliance';
import type { ProjectResult, ServiceResult } from '../../core/health/reportSchema';
import type { TemplatesFeature } from '../templates/registerTemplates';
import type { HealthController } from './healthController';
import { Disposable } from '../common/lifecycle';

/** A command that fixes what a node reports, run by the inline "Fix" action. */
export interface FixAction {
  command: string;
  args?: unknown[];
  title: string;
}

export interface HealthNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  icon: vscode.ThemeIcon;
  children?: HealthNode[];
  /** Children another feature builds on demand (the CLAUDE.md targets of a folder). */
  lazyChildren?: () => Promise<vscode.TreeItem[]>;
  fix?: FixAction;
  expanded?: boolean;
}

type Tone = 'ok' | 'warn' | 'bad' | 'off';
const TONE_COLOR: Record<Tone, string | undefined> = { ok: 'testing.iconPassed', warn: 'list.warningForeground', bad: 'list.errorForeground', off: undefined };
const TONE_ICON: Record<Tone, string> = { ok: 'pass', warn: 'warning', bad: 'error', off: 'circle-slash' };

function icon(tone: Tone, id = TONE_ICON[tone]): vscode.ThemeIcon {
  const color = TONE_COLOR[tone];
  return new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);
}

const SERVICE_TONE: Record<ServiceResult['status'], Tone> = { healthy: 'ok', degraded: 'warn', down: 'bad', error: 'bad' };
const PROJECT_TONE: Record<ProjectResult['status'], Tone> = { healthy: 'ok', warning: 'warn', critical: 'bad' };
const STEP_TONE: Record<DiagnosticStep['status'], Tone> = { pass: 'ok', warn: 'warn', fail: 'bad', skip: 'off' };

/** The Health view: score first, then services, compliance, projects, alerts and the last diagnostics. */
export class HealthTreeProvider extends Disposable implements vscode.TreeDataProvider<HealthNode | vscode.TreeItem> {
  private readonly changed = this._register(new vscode.EventEmitter<HealthNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly controller: HealthController,
    private readonly templates: TemplatesFeature,
    private readonly folders: () => readonly vscode.WorkspaceFolder[],
  ) {
    super();
    this._register(controller.onDidChange(() => this.changed.fire(undefined)));
    this._register(templates.onDidChange(() => this.changed.fire(undefined)));
  }

  getTreeItem(node: HealthNode | vscode.TreeItem): vscode.TreeItem {
    if (node instanceof vscode.TreeItem) return node;
    const state = node.lazyChildren ? vscode.TreeItemCollapsibleState.Collapsed : node.children?.length ? (node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(node.label, state);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = node.icon;
    item.contextValue = node.fix ? 'health.fixable' : 'health.item';
    return item;
  }

  async getChildren(node?: HealthNode | vscode.TreeItem): Promise<(HealthNode | vscode.TreeItem)[]> {
    if (node instanceof vscode.TreeItem) return [];
    if (node) return node.lazyChildren ? node.lazyChildren() : (node.children ?? []);
    const roots = buildRoots(this.controller);
    // Shown with the report, so the view keeps its welcome content until the first check.
    return this.controller.report ? [...roots, ...this.templateNodes()] : roots;
  }

  private templateNodes(): HealthNode[] {
    const folders = this.folders();
    return folders.map((folder) => ({
      id: `templates:${folder.uri.toString()}`,
      label: folders.length > 1 ? vscode.l10n.t('CLAUDE.md Templates: {0}', folder.name) : vscode.l10n.t('CLAUDE.md Templates'),
      icon: new vscode.ThemeIcon('file-code'),
      lazyChildren: () => this.templates.treeItems(folder),
    }));
  }

}

function buildRoots(controller: HealthController): HealthNode[] {
  const report = controller.report;
  const roots: HealthNode[] = [];
  if (!report) {
    // Empty until the first check so the view shows its welcome content; a check in progress says so.
    if (controller.checking) roots.push({ id: 'checking', label: vscode.l10n.t('Checking health…'), icon: new vscode.ThemeIcon('loading~spin') });
    return roots.concat(diagnosticsNode(controller) ?? []);
  }
  const s = report.summary;
  const tone: Tone = s.status === 'healthy' ? 'ok' : s.status === 'degraded' ? 'warn' : 'bad';
  roots.push({
    id: 'score',
    label: vscode.l10n.t('Health {0}% ({1})', s.overall_health_percentage, s.status),
    description: controller.checking ? vscode.l10n.t('checking…') : new Date(report.timestamp).toLocaleTimeString(),
    tooltip: vscode.l10n.t('Projects {0}% × 40% + services {1}% × 35% + compliance {2}% × 25%, checked in {3} ms', s.project_health_percentage, s.service_health_percentage, s.framework_compliance, s.duration_ms),
    icon: icon(tone, 'pulse'),
  });
  const services = Object.values(report.services);
  roots.push({
    id: 'services',
    label: vscode.l10n.t('Services'),
    description: services.length ? `${s.service_health_percentage}%` : vscode.l10n.t('none to check'),
    // Without services the node would be an empty row: say why there are none and how to add one.
    tooltip: services.length ? undefined : vscode.l10n.t('This folder uses no framework service: memory is not on a mem0 server and the folder is not the framework\'s own tree. Add your own under health.services in .claude-pm/config.json.'),
    icon: icon(worst(services.map((x) => SERVICE_TONE[x.status])), 'server-environment'),
    expanded: services.some((x) => x.status !== 'healthy'),
    children: services.map(serviceNode),
  });
  const projects = Object.values(report.projects);
  const items = projects.flatMap((p) => p.compliance.map((c) => ({ project: p, item: c })));
  roots.push({
    id: 'compliance',
    label: vscode.l10n.t('Compliance'),
    description: `${report.framework.compliance_percentage}% · ${report.framework.passed_checks}/${report.framework.total_checks}`,
    icon: icon(report.framework.compliance_percentage >= 80 ? 'ok' : report.framework.compliance_percentage >= 50 ? 'warn' : 'bad', 'checklist'),
    expanded: items.some((x) => !x.item.passed),
    children: items.map(({ project, item }, i) => complianceNode(project, item, projects.length > 1, i)),
  });
  roots.push({
    id: 'projects',
    label: vscode.l10n.t('Projects'),
    description: `${s.healthy_projects}/${s.total_projects}`,
    icon: icon(worst(projects.map((p) => PROJECT_TONE[p.status])), 'repo'),
    expanded: true,
    children: projects.map(projectNode),
  });
  roots.push({
    id: 'alerts',
    label: vscode.l10n.t('Alerts'),
    description: String(report.alerts.length),
    icon: icon(report.alerts.some((a) => a.level === 'critical') ? 'bad' : report.alerts.length ? 'warn' : 'ok', 'bell'),
    expanded: report.alerts.length > 0,
    children: report.alerts.map((a, i) => ({ id: `alert:${i}`, label: a.message, tooltip: a.message, icon: icon(a.level === 'critical' ? 'bad' : a.level === 'warning' ? 'warn' : 'off', a.level === 'info' ? 'info' : undefined) })),
  });
  const diagnostics = diagnosticsNode(controller);
  if (diagnostics) roots.push(diagnostics);
  return roots;
}

function serviceNode(s: ServiceResult): HealthNode {
  const timing = s.response_time !== null ? `${s.response_time} ms` : '';
  const fix: FixAction | undefined =
    s.status === 'healthy' ? undefined : s.name.startsWith('mem0') ? { command: 'claudePm.health.refresh', title: vscode.l10n.t('Check Health (diagnoses the memory service)') } : { command: 'claudePm.health.openConfig', title: vscode.l10n.t('Open Configuration') };
  return {
    id: `service:${s.name}`,
    label: s.name,
    description: [s.status, timing, s.critical ? vscode.l10n.t('critical') : ''].filter(Boolean).join(' · '),
    tooltip: `${s.url}${s.error ? `\n${s.error}` : ''}${s.performance ? `\n${s.performance}` : ''}`,
    icon: icon(SERVICE_TONE[s.status]),
    fix,
  };
}

function complianceNode(project: ProjectResult, item: ComplianceItem, showProject: boolean, index: number): HealthNode {
  const tone: Tone = item.passed ? 'ok' : item.severity === 'error' ? 'bad' : item.severity === 'warning' ? 'warn' : 'off';
  return {
    // Tree ids must be unique even if a check repeats an item id.
    id: `compliance:${index}:${project.path}:${item.id}`,
    label: item.title,
    description: showProject ? `${project.name} · ${item.detail}` : item.detail,
    // A passing check has nothing to fix, so its hint would only confuse.
    tooltip: item.passed ? item.detail : [item.detail, item.fixHint].filter(Boolean).join('\n'),
    icon: icon(tone),
    // Only our own fix knows which folder to act on; other features' commands take no arguments.
    fix: !item.passed && item.fixCommand ? { command: item.fixCommand, args: item.fixCommand === INIT_LAYOUT_COMMAND ? [project.path] : undefined, title: item.fixHint ?? vscode.l10n.t('Fix') } : undefined,
  };
}

function projectNode(p: ProjectResult): HealthNode {
  const git = p.git;
  const details: HealthNode[] = [];
  if (git) {
    details.push({ id: `project:${p.path}:branch`, label: git.detached ? vscode.l10n.t('Detached HEAD') : (git.branch ?? '?'), description: git.tracking ? `↑${git.ahead} ↓${git.behind} ${git.tracking}` : vscode.l10n.t('no upstream'), icon: icon(git.detached || git.behind > 0 ? 'warn' : 'ok', 'git-branch') });
    details.push({ id: `project:${p.path}:dirty`, label: git.dirtyFiles === 0 ? vscode.l10n.t('No uncommitted changes') : git.dirtyFiles === 1 ? vscode.l10n.t('1 uncommitted change') : vscode.l10n.t('{0} uncommitted changes', git.dirtyFiles), icon: icon(git.dirtyFiles ? 'off' : 'ok', 'diff'), fix: git.dirtyFiles ? { command: 'workbench.view.scm', title: vscode.l10n.t('Open Source Control') } : undefined });
    if (git.conflicts.length) details.push({ id: `project:${p.path}:conflicts`, label: git.conflicts.length === 1 ? vscode.l10n.t('1 file with merge conflicts') : vscode.l10n.t('{0} files with merge conflicts', git.conflicts.length), tooltip: git.conflicts.join('\n'), icon: icon('bad', 'git-merge'), fix: { command: 'workbench.view.scm', title: vscode.l10n.t('Open Source Control') } });
    details.push({ id: `project:${p.path}:last`, label: git.daysSinceLastCommit === null ? vscode.l10n.t('No commits yet') : lastCommitLabel(git.daysSinceLastCommit), icon: icon(git.daysSinceLastCommit !== null && git.daysSinceLastCommit > 30 ? 'warn' : 'ok', 'git-commit') });
  }
  // The git rows above already say how many changes are uncommitted.
  const shown = git ? countOf(git.dirtyFiles, 'uncommitted change') : undefined;
  for (const [i, issue] of p.issues.entries()) if (issue !== shown) details.push({ id: `project:${p.path}:issue:${i}`, label: issue, icon: icon('off', 'info') });
  return {
    id: `project:${p.path}`,
    label: p.name,
    description: `${p.status} · ${vscode.l10n.t('compliance {0}%', p.metrics.compliance_percentage)}`,
    tooltip: p.path,
    // Not the 'folder' icon: the editor draws that one from the file icon theme and, in themes without folder
    // icons, pulls the project's children left of it.
    icon: icon(PROJECT_TONE[p.status], 'root-folder'),
    children: details,
  };
}

function diagnosticsNode(controller: HealthController): HealthNode | undefined {
  const d = controller.diagnostics;
  if (!d) return undefined;
  const steps = [...d.memory.steps, ...d.agents.steps];
  return {
    id: 'diagnostics',
    label: vscode.l10n.t('Diagnostics'),
    description: d.ok ? vscode.l10n.t('no problems') : problemsLabel(steps.filter((s) => s.status === 'fail').length),
    icon: icon(d.ok ? 'ok' : 'bad', 'debug'),
    expanded: true,
    children: steps.map((s) => ({
      id: `diag:${s.id}`,
      label: s.title,
      description: s.detail,
      tooltip: [s.detail, s.cause && vscode.l10n.t('Cause: {0}', s.cause), s.fix && vscode.l10n.t('Fix: {0}', s.fix)].filter(Boolean).join('\n'),
      icon: icon(STEP_TONE[s.status]),
    })),
  };
}

function lastCommitLabel(days: number): string {
  if (days === 0) return vscode.l10n.t('Last commit today');
  return days === 1 ? vscode.l10n.t('Last commit yesterday') : vscode.l10n.t('Last commit {0} days ago', days);
}

function problemsLabel(count: number): string {
  return count === 1 ? vscode.l10n.t('1 problem') : vscode.l10n.t('{0} problems', count);
}

function worst(tones: readonly Tone[]): Tone {
  if (tones.includes('bad')) return 'bad';
  if (tones.includes('warn')) return 'warn';
  return 'ok';
}
