// A small test runner for the suites that run inside the real VS Code extension host (no test framework is a
// dependency here). Each result is printed as one `claude-pm-host-test` JSON line that test/host/run.ts reads
// from the browser console; `run` rejects when a test failed, which the workbench reports as exit code 1.
import * as vscode from 'vscode';
import { RESULT_MARKER } from './marker';

type TestFn = () => Promise<void> | void;

interface Case {
  name: string;
  fn: TestFn;
}

const cases: Case[] = [];
/** Claude PM commands run by tests that passed: each had its effect asserted. */
const covered = new Set<string>();
let ranInTest = new Set<string>();
/** The longest one test may take before it counts as failed (the runner itself gives up later). */
const TEST_TIMEOUT_MS = 60_000;

/** Records every Claude PM command the tests run (the extension shares this API object, so its own calls count too). */
function trackCommands(): void {
  const commands = vscode.commands as unknown as Record<string, unknown>;
  const execute = vscode.commands.executeCommand;
  commands.executeCommand = (id: string, ...args: unknown[]) => {
    if (id.startsWith('claudePm.')) ranInTest.add(id);
    return execute(id, ...args);
  };
}

export function test(name: string, fn: TestFn): void {
  cases.push({ name, fn });
}

/** Runs the registered tests in order, under the suite's label; `activationMs` is the extension's own figure. */
export async function runSuite(suite: string, activationMs?: number): Promise<void> {
  let failed = 0;
  for (const { name, fn } of cases) {
    const started = Date.now();
    ranInTest = new Set();
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS)),
      ]);
      for (const id of ranInTest) covered.add(id);
      console.log(`${RESULT_MARKER} ${JSON.stringify({ suite, name, ok: true, ms: Date.now() - started })}`);
    } catch (error) {
      failed++;
      const shown = ui.texts();
      const message = `${error instanceof Error ? (error.stack ?? error.message) : String(error)}${shown.length ? `\nmessages shown: ${shown.join(' | ')}` : ''}`;
      console.log(`${RESULT_MARKER} ${JSON.stringify({ suite, name, ok: false, ms: Date.now() - started, error: message })}`);
    } finally {
      ui.reset();
    }
  }
  console.log(`${RESULT_MARKER} ${JSON.stringify({ suite, done: true, total: cases.length, failed, covered: [...covered], activationMs })}`);
  if (failed) throw new Error(`${failed} of ${cases.length} tests failed in ${suite}`);
}

/** Polls `check` until it returns something truthy; fails with `what` when the time is up. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Answer = string | undefined | ((items: readonly unknown[]) => unknown);

/**
 * Scripted answers for the editor's prompts: quick picks, input boxes, folder picks and file dialogs take the
 * next queued answer in order; a message's buttons are pressed only when `choose` queued that label. Every
 * message shown is recorded. The extension shares this `vscode` API object, so it sees the replacements.
 */
class ScriptedUi {
  readonly messages: { level: 'info' | 'warning' | 'error'; text: string }[] = [];
  private answers: Answer[] = [];
  private choices: string[] = [];
  private readonly originals = new Map<string, unknown>();

  /** Queues answers for the next prompts: a label (or input text), undefined (cancel), or a picker function. */
  answer(...answers: Answer[]): void {
    this.answers.push(...answers);
  }

  /** Queues a message button to press when a message offers it. */
  choose(...labels: string[]): void {
    this.choices.push(...labels);
  }

  /** How many queued answers no prompt has taken yet. */
  pending(): number {
    return this.answers.length;
  }

  /** The text of every message shown so far. */
  texts(): string[] {
    return this.messages.map((m) => m.text);
  }

  reset(): void {
    this.quickPicks.splice(0).forEach((p) => p.dispose());
    this.answers = [];
    this.choices = [];
    this.messages.length = 0;
  }

  /** Quick picks the extension built itself (e.g. the live memory search). */
  readonly quickPicks: vscode.QuickPick<vscode.QuickPickItem>[] = [];

  install(): void {
    trackCommands();
    const w = vscode.window as unknown as Record<string, unknown>;
    const replace = (name: string, fn: unknown) => {
      this.originals.set(name, w[name]);
      w[name] = fn;
    };
    const next = (items: readonly unknown[]): unknown => {
      if (this.answers.length === 0) throw new Error(`no scripted answer for a prompt offering ${JSON.stringify(items.map(labelOf)).slice(0, 300)}`);
      const answer = this.answers.shift();
      if (typeof answer === 'function') return answer(items);
      if (answer === undefined || items.length === 0) return answer;
      const found = items.find((item) => labelOf(item) === answer) ?? items.find((item) => labelOf(item).includes(answer));
      if (!found) throw new Error(`no item "${answer}" among ${JSON.stringify(items.map(labelOf)).slice(0, 300)}`);
      return found;
    };
    replace('showQuickPick', async (items: unknown, options?: { canPickMany?: boolean }) => {
      const list = (await items) as unknown[];
      const picked = next(list);
      return options?.canPickMany && picked !== undefined && !Array.isArray(picked) ? [picked] : picked;
    });
    replace('showInputBox', async (options?: { value?: string; validateInput?: (v: string) => unknown }) => {
      const value = next([]) as string | undefined;
      if (value !== undefined && options?.validateInput) {
        const problem = await options.validateInput(value);
        if (problem) throw new Error(`input "${value}" was refused: ${JSON.stringify(problem)}`);
      }
      return value;
    });
    // Step-by-step flows build their own pickers: these answer from the same queue when shown (a picker with no
    // queued answer stays open, as the live memory search does).
    const scripted = (input: boolean) => () => {
      const emitters = { accept: new vscode.EventEmitter<void>(), hide: new vscode.EventEmitter<void>(), value: new vscode.EventEmitter<string>(), selection: new vscode.EventEmitter<unknown[]>() };
      const widget: Record<string, unknown> = {
        items: [],
        selectedItems: [],
        activeItems: [],
        value: '',
        buttons: [],
        onDidAccept: emitters.accept.event,
        onDidHide: emitters.hide.event,
        onDidChangeValue: emitters.value.event,
        onDidChangeSelection: emitters.selection.event,
        onDidChangeActive: new vscode.EventEmitter<unknown[]>().event,
        onDidTriggerButton: new vscode.EventEmitter<unknown>().event,
        onDidTriggerItemButton: new vscode.EventEmitter<unknown>().event,
        show: () =>
          setTimeout(() => {
            if (this.answers.length === 0) return;
            const answer = next(input ? [] : (widget.items as unknown[]));
            if (answer === undefined) return emitters.hide.fire();
            if (input) {
              widget.value = answer;
              emitters.value.fire(answer as string);
            } else widget.selectedItems = widget.activeItems = [answer];
            emitters.accept.fire();
          }, 0),
        hide: () => emitters.hide.fire(),
        dispose: () => Object.values(emitters).forEach((e) => e.dispose()),
      };
      if (!input) this.quickPicks.push(widget as unknown as vscode.QuickPick<vscode.QuickPickItem>);
      return widget;
    };
    replace('createQuickPick', scripted(false));
    replace('createInputBox', scripted(true));
    replace('showWorkspaceFolderPick', async () => next(vscode.workspace.workspaceFolders ?? []));
    replace('showSaveDialog', async () => next([]));
    replace('showOpenDialog', async () => next([]));
    const message = (level: 'info' | 'warning' | 'error') => async (text: string, ...rest: unknown[]) => {
      this.messages.push({ level, text });
      const buttons = rest.filter((r) => typeof r === 'string' || (r && typeof r === 'object' && 'title' in r)) as (string | { title: string })[];
      const choice = this.choices.findIndex((c) => buttons.some((b) => c === (typeof b === 'string' ? b : b.title)));
      if (choice < 0) return undefined;
      const [label] = this.choices.splice(choice, 1);
      return buttons.find((b) => label === (typeof b === 'string' ? b : b.title));
    };
    replace('showInformationMessage', message('info'));
    replace('showWarningMessage', message('warning'));
    replace('showErrorMessage', message('error'));
  }
}

function labelOf(item: unknown): string {
  if (typeof item === 'string') return item;
  if (item && typeof item === 'object') {
    const { label, name } = item as { label?: unknown; name?: unknown };
    if (typeof label === 'string') return label;
    if (typeof name === 'string') return name;
  }
  return String(item);
}

export const ui = new ScriptedUi();
