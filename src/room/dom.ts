/**
 * Small DOM helpers both views of the room use (widget.ts for every
 * interview, behavioral.ts for a behavioural one).
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  return node;
}

/** A room button: its label, test id (also a class), modifier and action. */
export function roomButton(
  label: string,
  testid: string,
  mod: string,
  onClick: () => Promise<void>,
  title = ''
): HTMLButtonElement {
  const node = el('button', `mil-room-button ${mod} ${testid}`.trim());
  node.type = 'button';
  node.textContent = label;
  node.dataset.testid = testid;
  if (title) {
    node.title = title;
  }
  node.addEventListener('click', () => void onClick());
  return node;
}

/**
 * Say `text` in a live region: a new node each time (screen readers
 * announce additions), the last five kept.
 */
export function announceIn(region: HTMLElement, text: string): void {
  const line = el('div');
  line.textContent = text;
  region.append(line);
  while (region.childElementCount > 5) {
    region.firstElementChild?.remove();
  }
}

/** "End the interview?" with `body` saying what happens; true to end. */
export async function confirmEnd(body: string): Promise<boolean> {
  const answer = await showDialog({
    title: 'End the interview?',
    body,
    buttons: [
      Dialog.cancelButton({ label: 'Keep going' }),
      Dialog.warnButton({ label: 'End the interview' })
    ],
    defaultButton: 0
  });
  return answer.button.accept;
}

/**
 * A table with its caption and column headings; rows go in the tbody.
 */
export function tableWithHead(
  className: string,
  caption: HTMLElement,
  columns: string[]
): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const table = el('table', className);
  const head = el('thead');
  const row = el('tr');
  for (const name of columns) {
    const cell = el('th');
    cell.scope = 'col';
    cell.textContent = name;
    row.append(cell);
  }
  head.append(row);
  const body = el('tbody');
  table.append(caption, head, body);
  return { table, body };
}
