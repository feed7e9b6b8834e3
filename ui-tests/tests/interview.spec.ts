import { expect, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

import { replaceCellSource, solutionCellIndex } from './helpers';

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

// The `%interview` cell: its output is the room's compact line.
const INTERVIEW_CELL = 1;

// Galata's mock of JupyterLab's /api/sessions/<id> would also answer the
// room's mock-interviewer/api/sessions/<id> (404 for an id it does not
// know): the kernel sessions are left to the real server.
test.use({ sessions: null });

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

  test('an interview in a notebook: room, clock and test results', async ({
    page
  }, testInfo) => {
    await page.notebook.createNew('interview.ipynb');
    await page.notebook.setCell(0, 'code', '%load_ext mock_interviewer_lab');
    await page.notebook.addCell('code', '%interview two_sum --minutes 30');
    // Run in place (Ctrl+Enter): Shift+Enter would add blank cells of its own.
    await page.notebook.runCell(0, { inplace: true });
    await page.notebook.runCell(INTERVIEW_CELL, { inplace: true });

    // The cell keeps a compact line; the room docks beside the notebook.
    const output = (await page.notebook.getCellOutputLocator(
      INTERVIEW_CELL
    )) as Locator;
    await expect(output.getByTestId('mil-room-link')).toContainText(
      /Two Sum — the room is on the right/
    );
    await expect(
      output.getByRole('button', { name: /Show the room/ })
    ).toBeVisible();
    const room = page.getByTestId('mil-room');
    await expect(room.getByRole('heading', { name: /Two Sum/ })).toBeVisible();
    const phases = room.getByTestId('mil-room-phases');
    for (const phase of ['intro', 'understanding', 'coding', 'complexity']) {
      await expect(
        phases.getByRole('listitem').filter({ hasText: new RegExp(phase) })
      ).toBeVisible();
    }
    await expect(phases.locator('[aria-current="step"]')).toHaveCount(1);
    // The session view loaded (the room says nothing went wrong).
    await expect(room.getByTestId('mil-room-notice')).toBeEmpty();

    // The clock counts down in the browser between the server's messages:
    // its text must change on its own.
    const clock = room.getByTestId('mil-room-clock');
    await expect(clock).toHaveText(/\d\d:\d\d\s*left/);
    const firstReading = (await clock.innerText()).trim();
    await expect(clock).not.toHaveText(firstReading, { timeout: 30000 });

    // set_next_input put the function stub below the `%interview` cell.
    const solutionCell = await solutionCellIndex(page, INTERVIEW_CELL);
    expect((await page.notebook.getCellTextInput(solutionCell)).trim()).toMatch(
      /^%%solution\s+def two_sum\(/
    );

    await replaceCellSource(page, solutionCell, WRONG_SOLUTION);
    await page.notebook.runCell(solutionCell, { inplace: true });
    const results = room.getByTestId('mil-room-results');
    await expect(results.getByText(/^0 of 9 tests passed$/)).toBeVisible({
      timeout: 30000
    });
    await expect(results.locator('table')).toBeVisible();

    await replaceCellSource(page, solutionCell, RIGHT_SOLUTION);
    await page.notebook.runCell(solutionCell, { inplace: true });
    await expect(results.getByText(/^9 of 9 tests passed$/)).toBeVisible({
      timeout: 30000
    });

    // The notebook and the room, kept with the test results and in the
    // HTML report.
    await testInfo.attach('interview', {
      body: await page.screenshot({
        path: testInfo.outputPath('interview.png')
      }),
      contentType: 'image/png'
    });
  });
});
