type Child = Node | string | null | undefined | false;

/** Creates an element with attributes and children; text is always set as text, never parsed as HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | undefined>, ...children: Child[]): HTMLElementTagNameMap[K];
export function el(tag: string, attrs?: Record<string, string | undefined>, ...children: Child[]): HTMLElement;
export function el(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Replaces the children of the element with this id. */
export function fill(id: string, ...children: Child[]): void {
  const target = document.getElementById(id);
  if (!target) return;
  target.replaceChildren(...(children.filter(Boolean) as (Node | string)[]));
}

/** Text whose `backtick spans` are shown as code (health recommendations name commands that way); nothing is parsed as HTML. */
export function withCode(text: string): (Node | string)[] {
  return text.split(/(`[^`]+`)/).filter(Boolean).map((part) => (part.length > 2 && part.startsWith('`') && part.endsWith('`') ? el('code', {}, part.slice(1, -1)) : part));
}

/** A button that reads as a link; `focusKey` lets `refill` give it focus back (without `onClick`, its row handles clicks). */
export function linkButton(label: string | Node, focusKey: string, onClick?: () => void): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'link-button', 'data-focus-key': focusKey }, label);
  if (onClick) button.addEventListener('click', onClick);
  return button;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element; like `el`, text children are set as text. */
export function svg(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: Child[]): SVGElement {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) node.setAttribute(name, String(value));
  for (const child of children) if (child) node.append(child);
  return node;
}

/**
 * Replaces the children of the element with this id and gives focus back to the element that had it (matched by
 * its `data-focus-key`), so a live refresh never throws a keyboard user out of a list.
 */
export function refill(id: string, ...children: Child[]): void {
  const key = document.activeElement?.getAttribute('data-focus-key');
  fill(id, ...children);
  if (!key) return;
  for (const candidate of document.querySelectorAll<HTMLElement | SVGElement>('[data-focus-key]')) {
    if (candidate.getAttribute('data-focus-key') === key) return candidate.focus();
  }
}
