/**
 * The page's only way to make DOM: elements with attributes and children, where every string
 * child becomes a text node. Stored data (tenant ids, agent names, inputs, outputs) is user data
 * and never parsed as HTML; there is no innerHTML anywhere in the page.
 */

// `unknown` too: a hostile store can put an object where a name belongs; it shows as text.
type Child = Node | string | number | null | undefined | false | unknown
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>

/** `h('a', { href, class: 'x' }, 'text', child)`. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue
    if (typeof value === 'function') el.addEventListener(name.slice(2), value)
    else el.setAttribute(name, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

/** An SVG element (sparklines). */
export function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag)
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value))
  return el
}

/** Appends children; strings and numbers as text. */
export function append(el: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    el.appendChild(child instanceof Node ? child : document.createTextNode(String(child)))
  }
}

/** Replaces all children of `el`. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}
