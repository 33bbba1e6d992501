import type * as vscode from 'vscode';

/** Wraps a function as a disposable (no `vscode` value import, so core-like helpers can use it too). */
export function toDisposable(dispose: () => void): vscode.Disposable {
  return { dispose };
}

/**
 * The one lifecycle base of the adapters (the VS Code core and GitHub Pull Requests `lifecycle.ts` idiom):
 * everything an object creates or subscribes to is `_register`ed and disposed with it, exactly once.
 */
export abstract class Disposable implements vscode.Disposable {
  private readonly toDispose = new Set<vscode.Disposable>();
  private disposed = false;

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  /** Disposes `value` with this object; registering after disposal disposes it at once, so nothing leaks. */
  protected _register<T extends vscode.Disposable>(value: T): T {
    if (this.disposed) value.dispose();
    else this.toDispose.add(value);
    return value;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const d of [...this.toDispose].reverse()) {
      try {
        d.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    this.toDispose.clear();
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'several disposables failed');
  }
}
