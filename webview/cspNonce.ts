// Lit falls back to <style> elements where adoptedStyleSheets are missing; those need the page's nonce.
// This module is imported first so the nonce is set before any component defines its styles.

/** The nonce of the script tag that loaded the dashboard (the property, since the attribute is hidden). */
export const pageNonce: string = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce ?? '';

(window as unknown as { litNonce?: string }).litNonce = pageNonce;

/** Adds a stylesheet allowed by the CSP's nonce. */
export function injectStyle(css: string, id: string): void {
  if (document.getElementById(id)) return;
  const style = document.createElement('style');
  style.id = id;
  style.nonce = pageNonce;
  style.textContent = css;
  document.head.append(style);
}
