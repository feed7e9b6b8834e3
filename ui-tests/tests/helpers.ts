/**
 * What the UI tests share: the `%%solution` cell the kernel puts below
 * `%interview`, and setting a cell's source as an edit from the user would.
 */
import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';

/**
 * The notebook in the page (the current widget, or the first notebook of
 * the main area when the room or the report is the current one), as a
 * function to pass to `page.evaluate`.
 */
export const NOTEBOOK = `(() => {
  const shell = window.jupyterapp.shell;
  const current = shell.currentWidget;
  if (current && current.content && current.content.model) {
    return current.content;
  }
  return Array.from(shell.widgets('main')).find(
    w => w.content && w.content.model && w.content.model.sharedModel
  ).content;
})()`;

/**
 * The index of the first cell after `after` that starts with `%%solution`.
 */
export async function solutionCellIndex(
  page: IJupyterLabPageFixture,
  after: number
): Promise<number> {
  let found = -1;
  await expect
    .poll(async () => {
      found = await page.evaluate(NOTEBOOK_SCRIPT => {
        const notebook = eval(NOTEBOOK_SCRIPT);
        const cells = notebook.model.sharedModel.cells as any[];
        return cells.findIndex(cell =>
          cell.getSource().startsWith('%%solution')
        );
      }, NOTEBOOK);
      return found;
    })
    .toBeGreaterThan(after);
  return found;
}

/**
 * Typing into CodeMirror re-indents Python as it goes, so the source is set
 * on the notebook model instead, as an edit from the user would be.
 */
export async function replaceCellSource(
  page: IJupyterLabPageFixture,
  index: number,
  source: string
): Promise<void> {
  await page.evaluate(
    ({ index, source, script }) => {
      const notebook = eval(script);
      notebook.model.sharedModel.cells[index].setSource(source);
    },
    { index, source, script: NOTEBOOK }
  );
  await expect.poll(() => page.notebook.getCellTextInput(index)).toBe(source);
}
