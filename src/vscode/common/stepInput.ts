import * as vscode from 'vscode';

/** Where an input stands in a multi-step flow, shown as "2/3" in its title bar. */
export interface Step {
  title: string;
  step: number;
  totalSteps: number;
}

/** A quick pick that is one step of a flow; undefined when dismissed. */
export function pickStep<T extends vscode.QuickPickItem>(at: Step, items: readonly T[], options: { placeholder?: string; matchOnDescription?: boolean; matchOnDetail?: boolean; toggles?: readonly StepToggle[] } = {}): Promise<T | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  Object.assign(pick, at, { items, placeholder: options.placeholder, matchOnDescription: options.matchOnDescription ?? false, matchOnDetail: options.matchOnDetail ?? false, ignoreFocusOut: true });
  showToggles(pick, options.toggles);
  return new Promise<T | undefined>((resolve) => {
    pick.onDidAccept(() => {
      resolve(pick.selectedItems[0]);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/** An input box that is one step of a flow; undefined when dismissed. */
export function inputStep(at: Step, options: { prompt: string; validate?: (value: string) => string | undefined; toggles?: readonly StepToggle[] }): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  Object.assign(box, at, { prompt: options.prompt, ignoreFocusOut: true });
  showToggles(box, options.toggles);
  return new Promise<string | undefined>((resolve) => {
    box.onDidChangeValue((value) => (box.validationMessage = options.validate?.(value)));
    box.onDidAccept(() => {
      const problem = options.validate?.(box.value);
      if (problem) {
        box.validationMessage = problem;
        return;
      }
      resolve(box.value);
      box.hide();
    });
    box.onDidHide(() => {
      resolve(undefined);
      box.dispose();
    });
    box.show();
  });
}

/** An on/off option of a flow, shown as a title-bar button on each of its steps; clicking it flips it. */
export class StepToggle {
  constructor(
    private readonly label: string,
    public on = false,
  ) {}

  get button(): vscode.QuickInputButton {
    return { iconPath: new vscode.ThemeIcon(this.on ? 'pass-filled' : 'circle-large-outline'), tooltip: this.on ? vscode.l10n.t('{0}: on', this.label) : vscode.l10n.t('{0}: off', this.label) };
  }
}

function showToggles(input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox, toggles: readonly StepToggle[] = []): void {
  if (!toggles.length) return;
  const render = () => (input.buttons = toggles.map((t) => t.button));
  render();
  input.onDidTriggerButton((button) => {
    const toggle = toggles[input.buttons.indexOf(button)];
    if (!toggle) return;
    toggle.on = !toggle.on;
    render();
  });
}
