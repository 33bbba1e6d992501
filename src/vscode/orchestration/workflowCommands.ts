import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/common/atomicFile';
import { listWorkflowFiles, loadWorkflowFile, WORKFLOWS_DIR } from '../../core/orchestration/workflowFile';
import { defaultWorkflowContext, parseContextPairs } from '../../core/orchestration/workflowSetup';
import type { FeatureContext } from '../featureContext';
import type { RunsController } from './runsController';

interface WorkflowPick extends vscode.QuickPickItem {
  folder: vscode.WorkspaceFolder;
  file: string;
}

/** Run Workflow: a file from the explorer / editor, or one picked from every folder's `.claude-pm/workflows/`. */
export async function runWorkflowCommand(features: FeatureContext, controller: RunsController, uri?: vscode.Uri): Promise<void> {
  const target = uri instanceof vscode.Uri ? pickFromUri(uri) : await pickWorkflow(features);
  if (!target) return;
  const parsed = await loadWorkflowFile(target.file);
  if (!parsed.workflow) {
    const first = parsed.diagnostics[0];
    throw new Error(vscode.l10n.t('{0} is not a valid workflow: line {1}: {2}', basename(target.file), first?.line ?? '?', first?.message ?? ''));
  }
  const { config } = await features.sessions.get(target.folder);
  let context = await defaultWorkflowContext(target.folder.uri.fsPath, config, process.env);
  if (parsed.workflow.type === 'conditional') {
    const edited = await vscode.window.showInputBox({
      title: vscode.l10n.t('Context for {0}', parsed.workflow.name),
      prompt: vscode.l10n.t('Values the conditions see, as key=value pairs separated by spaces'),
      value: Object.entries(context)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' '),
      validateInput: (text) => {
        try {
          parseContextPairs(text.split(/\s+/).filter(Boolean));
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    if (edited === undefined) return;
    context = { ...context, ...parseContextPairs(edited.split(/\s+/).filter(Boolean)) };
  }
  const entry = await controller.start(target.folder, target.file, context);
  await controller.showLog(entry.record.id);
}

function pickFromUri(uri: vscode.Uri): { folder: vscode.WorkspaceFolder; file: string } | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return folder ? { folder, file: uri.fsPath } : undefined;
}

async function pickWorkflow(features: FeatureContext): Promise<WorkflowPick | undefined> {
  const picks: WorkflowPick[] = [];
  for (const folder of features.sessions.folders()) {
    for (const file of await listWorkflowFiles(folder.uri.fsPath)) {
      const parsed = await loadWorkflowFile(file);
      picks.push({
        folder,
        file,
        label: parsed.workflow?.name ?? basename(file),
        description: parsed.workflow ? `${parsed.workflow.type}${parsed.steps.length ? ` · ${vscode.l10n.t('{0} steps', parsed.steps.length)}` : ''}` : vscode.l10n.t('invalid'),
        detail: parsed.workflow?.description ?? (parsed.diagnostics[0] ? `$(error) ${parsed.diagnostics[0].message}` : relative(folder.uri.fsPath, file)),
      });
    }
  }
  if (picks.length === 0) {
    const create = vscode.l10n.t('New Workflow from Template…');
    const choice = await vscode.window.showInformationMessage(vscode.l10n.t('No workflows in {0} yet.', WORKFLOWS_DIR), create);
    if (choice === create) await vscode.commands.executeCommand('claudePm.workflows.new');
    return undefined;
  }
  return vscode.window.showQuickPick(picks, { title: vscode.l10n.t('Run Workflow'), placeHolder: vscode.l10n.t('Pick a workflow to run'), matchOnDescription: true, matchOnDetail: true });
}

/** New Workflow from Template: copies a shipped template into `.claude-pm/workflows/<name>.yaml` and opens it. */
export async function newWorkflowCommand(features: FeatureContext): Promise<void> {
  const templatesDir = vscode.Uri.joinPath(features.extension.extensionUri, 'resources', 'workflows').fsPath;
  const names = (await readdir(templatesDir)).filter((n) => n.endsWith('.yaml')).sort();
  const templates = await Promise.all(
    names.map(async (n) => {
      const parsed = await loadWorkflowFile(join(templatesDir, n));
      return { label: parsed.workflow?.name ?? n, description: parsed.workflow?.type, detail: parsed.workflow?.description, file: join(templatesDir, n) };
    }),
  );
  const template = await vscode.window.showQuickPick(templates, { title: vscode.l10n.t('New Workflow from Template'), placeHolder: vscode.l10n.t('Pick a template') });
  if (!template) return;
  const folder = await features.sessions.resolveFolder(undefined, vscode.l10n.t('Folder for the new workflow'));
  if (!folder) return;
  const dir = join(folder.uri.fsPath, WORKFLOWS_DIR);
  const name = await vscode.window.showInputBox({
    title: vscode.l10n.t('Workflow name'),
    value: template.label,
    validateInput: async (value) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value)) return vscode.l10n.t('Use letters, digits, _ and -');
      const exists = await stat(join(dir, `${value}.yaml`)).then(
        () => true,
        () => false,
      );
      return exists ? vscode.l10n.t('{0}.yaml already exists', value) : undefined;
    },
  });
  if (!name) return;
  const text = (await readFile(template.file, 'utf8')).replace(/^name: .*$/m, `name: ${name}`);
  const target = join(dir, `${name}.yaml`);
  await writeFileAtomic(target, text);
  await vscode.window.showTextDocument(vscode.Uri.file(target));
}
