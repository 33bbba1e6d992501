// Colours come from the --vscode-* variables of the current theme, read when drawing.

export interface ChartColors {
  foreground: string;
  grid: string;
  score: string;
  services: string;
  projects: string;
  compliance: string;
  background: string;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function chartColors(): ChartColors {
  const foreground = cssVar('--vscode-foreground', '#888');
  return {
    foreground,
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.35)')),
    score: cssVar('--vscode-charts-blue', foreground),
    services: cssVar('--vscode-charts-green', foreground),
    projects: cssVar('--vscode-charts-purple', foreground),
    compliance: cssVar('--vscode-charts-orange', foreground),
    background: cssVar('--vscode-editor-background', 'transparent'),
  };
}

/** Calls `onChange` when VS Code switches theme (it changes the body's vscode-light/dark/high-contrast class). */
export function onThemeChange(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });
}
