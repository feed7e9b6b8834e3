import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

const WRONG_SOLUTION = [
  '%%solution',
  'def two_sum(nums: list[int], target: int) -> list[int]:',
  '    return [-1, -1]'
].join('\n');

const RIGHT_SOLUTION = [
  '%%solution',
  'def two_sum(nums: list[int], target: int) -> list[int]:',
  '    index_of: dict[int, int] = {}',
  '    for index, value in enumerate(nums):',
  '        partner = index_of.get(target - value)',
  '        if partner is not None:',
  '            return [partner, index]',
  '        index_of[value] = index',
  '    return []'
].join('\n');

// The panel is the output of the `%interview` cell.
const INTERVIEW_CELL = 1;

test.describe('Mock Interviewer Lab', () => {
  test('the launcher offers a new mock interview', async ({ page }) => {
    const card = page.locator('.jp-LauncherCard', {
      hasText: 'New mock interview'
    });
    await expect(card).toBeVisible();
    await expect(
      page.locator('.jp-Launcher-section', { hasText: 'Mock Interviewer' })
    ).toBeVisible();
  });

  test('an interview in a notebook: panel, clock and test results', async ({
    page
  }, testInfo) => {
    await page.notebook.createNew('interview.ipynb');
    await page.notebook.setCell(0, 'code', '%load_ext mock_interviewer_lab');
    await page.notebook.addCell('code', '%interview two_sum --minutes 30');
    // Run in place (Ctrl+Enter): Shift+Enter would add blank cells of its own.
    await page.notebook.runCell(0, { inplace: true });
    await page.notebook.runCell(INTERVIEW_CELL, { inplace: true });

    const panel = (await page.notebook.getCellOutputLocator(
      INTERVIEW_CELL
    )) as Locator;
    await expect(panel.getByRole('heading', { name: /Two Sum/ })).toBeVisible();
    for (const phase of ['intro', 'understanding', 'coding', 'complexity']) {
      await expect(
        panel.locator('.widget-html-content', {
          hasText: new RegExp(`^${phase}$`)
        })
      ).toBeVisible();
    }

    // The countdown ticks in the browser (the plugin's widget, not the
    // kernel): its text must change on its own.
    const countdown = panel.locator('.mil-countdown', {
      hasText: /\d\d:\d\d left/
    });
    await expect(countdown).toHaveText(/^\d\d:\d\d left/);
    const firstReading = (await countdown.innerText()).trim();
    await expect(countdown).not.toHaveText(firstReading, { timeout: 30000 });

    // set_next_input put the function stub below the `%interview` cell.
    const solutionCell = await solutionCellIndex(page);
    expect((await page.notebook.getCellTextInput(solutionCell)).trim()).toMatch(
      /^%%solution\s+def two_sum\(/
    );

    await replaceCellSource(page, solutionCell, WRONG_SOLUTION);
    await page.notebook.runCell(solutionCell, { inplace: true });
    const results = panel.locator('.widget-html-content', {
      hasText: /tests passed/
    });
    await expect(results).toContainText(/\b0 of 9 tests passed/, {
      timeout: 30000
    });
    await expect(results.locator('table')).toBeVisible();

    await replaceCellSource(page, solutionCell, RIGHT_SOLUTION);
    await page.notebook.runCell(solutionCell, { inplace: true });
    await expect(results).toContainText(/\b9 of 9 tests passed/, {
      timeout: 30000
    });

    // The whole panel, kept with the test results and in the HTML report
    // (the viewport in playwright.config.js is tall enough for it).
    await panel
      .getByRole('heading', { name: /Two Sum/ })
      .scrollIntoViewIfNeeded();
    await testInfo.attach('interview', {
      body: await page.screenshot({
        path: testInfo.outputPath('interview.png')
      }),
      contentType: 'image/png'
    });
  });
});

// The index of the first cell that starts with `%%solution`.
async function solutionCellIndex(
  page: IJupyterLabPageFixture
): Promise<number> {
  let found = -1;
  await expect
    .poll(async () => {
      found = await page.evaluate(() => {
        const notebook = (window as any).jupyterapp.shell.currentWidget.content;
        const cells = notebook.model.sharedModel.cells as any[];
        return cells.findIndex(cell =>
          cell.getSource().startsWith('%%solution')
        );
      });
      return found;
    })
    .toBeGreaterThan(INTERVIEW_CELL);
  return found;
}

// Typing into CodeMirror re-indents Python as it goes, so the source is set
// on the notebook model instead, as an edit from the user would be.
async function replaceCellSource(
  page: IJupyterLabPageFixture,
  index: number,
  source: string
): Promise<void> {
  await page.evaluate(
    ({ index, source }) => {
      const notebook = (window as any).jupyterapp.shell.currentWidget.content;
      notebook.model.sharedModel.cells[index].setSource(source);
    },
    { index, source }
  );
  await expect.poll(() => page.notebook.getCellTextInput(index)).toBe(source);
}
