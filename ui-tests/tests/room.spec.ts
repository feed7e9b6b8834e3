/**
 * The docked room (issue 13) at 1280×800: in view while a long solution is
 * typed, keys in its message box never reach the notebook, light and dark
 * screenshots with axe-core's check, a whole interview by keyboard alone,
 * the clock's words near zero, and a reload that shows the same room.
 *
 * Every check is on what appears (generous timeouts), never on how fast.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator, TestInfo } from '@playwright/test';
import * as fs from 'fs';

import { NOTEBOOK, replaceCellSource, solutionCellIndex } from './helpers';

const VIEWPORT = { width: 1280, height: 800 };
const INTERVIEW_CELL = 1;

const WRONG_SOLUTION = [
  '%%solution',
  'def two_sum(nums: list[int], target: int) -> list[int]:',
  '    return [-1, -1]'
].join('\n');

// Galata's mock of JupyterLab's /api/sessions/<id> would also answer the
// room's mock-interviewer/api/sessions/<id>: leave sessions to the server.
test.use({ sessions: null, viewport: VIEWPORT });

/** `%load_ext` and `%interview two_sum --minutes N`, run; the room docked. */
async function startInterview(
  page: IJupyterLabPageFixture,
  name: string,
  minutes: number
): Promise<Locator> {
  await page.notebook.createNew(name);
  await page.notebook.setCell(0, 'code', '%load_ext mock_interviewer_lab');
  await page.notebook.addCell(
    'code',
    `%interview two_sum --minutes ${minutes}`
  );
  await page.notebook.runCell(0, { inplace: true });
  await page.notebook.runCell(INTERVIEW_CELL, { inplace: true });
  const room = page.getByTestId('mil-room');
  await expect(room.getByRole('heading', { name: /Two Sum/ })).toBeVisible();
  await expect(room.getByTestId('mil-room-clock')).toHaveText(/\d\d:\d\d/);
  return room;
}

/** The session id the room's compact line names. */
async function sessionIdOf(page: IJupyterLabPageFixture): Promise<string> {
  const output = (await page.notebook.getCellOutputLocator(
    INTERVIEW_CELL
  )) as Locator;
  return (await output.getByTestId('mil-room-link').locator('code').innerText())
    .trim()
    .replace(/\s+/g, '');
}

/** The session's stored records (the export). */
async function records(
  page: IJupyterLabPageFixture,
  sessionId: string
): Promise<Array<{ kind: string; type: string; t: number }>> {
  const response = await page.request.get(
    `/mock-interviewer/api/sessions/${sessionId}/export`
  );
  expect(response.ok()).toBe(true);
  return (await response.json()).records;
}

/** The box is inside the page's viewport, whole. */
async function expectInViewport(locator: Locator): Promise<void> {
  const box = await locator.boundingBox();
  expect(box, 'on screen').not.toBeNull();
  if (box) {
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(VIEWPORT.width);
    expect(box.y + box.height).toBeLessThanOrEqual(VIEWPORT.height);
  }
}

async function attachScreenshot(
  target: Locator,
  name: string,
  testInfo: TestInfo
): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await testInfo.attach(name, {
    body: await target.screenshot({ path }),
    contentType: 'image/png'
  });
}

/** axe-core on the room: no serious or critical violation. */
async function checkRoomWithAxe(
  page: IJupyterLabPageFixture,
  theme: string,
  testInfo: TestInfo
): Promise<void> {
  const results = await new AxeBuilder({ page })
    .include('[data-testid="mil-room"]')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const name = `axe-room-${theme}.json`;
  const path = testInfo.outputPath(name);
  fs.writeFileSync(path, JSON.stringify(results.violations, null, 2));
  await testInfo.attach(name, { path, contentType: 'application/json' });
  console.log(
    `axe-core, room, ${theme} theme: ${results.passes.length} rules passed; violations: ${
      results.violations.map(v => `${v.id} (${v.impact})`).join(', ') || 'none'
    }`
  );
  const grave = results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map(n => `${n.target.join(' ')}: ${n.failureSummary}`)
    }));
  expect(grave, `axe-core in the ${theme} theme`).toEqual([]);
  // The check ran on the room itself.
  expect(results.passes.length).toBeGreaterThan(0);
}

/** The notebook's cells, as sources. */
async function cellSources(page: IJupyterLabPageFixture): Promise<string[]> {
  return page.evaluate(script => {
    const notebook = eval(script);
    return (notebook.model.sharedModel.cells as any[]).map(cell =>
      cell.getSource()
    );
  }, NOTEBOOK);
}

test.describe('The interview room', () => {
  test('stays in view while a long solution is typed, and its message box keeps its keys', async ({
    page
  }) => {
    const room = await startInterview(page, 'long.ipynb', 30);
    const sessionId = await sessionIdOf(page);
    const solutionCell = await solutionCellIndex(page, INTERVIEW_CELL);

    // The cursor at the start of the function's body, in edit mode.
    await replaceCellSource(
      page,
      solutionCell,
      '%%solution\ndef two_sum(nums: list[int], target: int) -> list[int]:\n    '
    );
    await page.evaluate(
      ({ index, script }) => {
        const notebook = eval(script);
        notebook.activeCellIndex = index;
        notebook.mode = 'edit';
        const editor = notebook.widgets[index].editor;
        editor.setCursorPosition({ line: 2, column: 4 });
        editor.focus();
      },
      { index: solutionCell, script: NOTEBOOK }
    );

    // 62 lines of body, typed key by key (CodeMirror keeps the indent).
    const body = [
      'index_of = {}',
      ...Array.from(
        { length: 58 },
        (_, i) => `check_${String(i).padStart(2, '0')} = len(nums) + ${i}`
      ),
      'pairs = [(i, j) for i in range(len(nums)) for j in range(i + 1, len(nums))]',
      'found = [[i, j] for i, j in pairs if nums[i] + nums[j] == target]',
      'return found[0] if found else []'
    ];
    const typingFrom = Date.now();
    await page.keyboard.type(body.join('\n'));
    const typingS = (Date.now() - typingFrom) / 1000;
    await expect
      .poll(async () => (await cellSources(page))[solutionCell].split('\n'))
      .toHaveLength(body.length + 2);

    // The room and its clock are on screen, whole, after all that typing.
    await expect(room).toBeVisible();
    await expectInViewport(room);
    await expectInViewport(room.getByTestId('mil-room-clock'));
    await expectInViewport(room.getByTestId('mil-room-message'));

    // The room told the server the candidate was typing, at most every 10 s.
    await expect
      .poll(
        async () =>
          (await records(page, sessionId)).filter(
            r => r.kind === 'event' && r.type === 'typing'
          ).length,
        { timeout: 30000 }
      )
      .toBeGreaterThan(0);
    const typed = (await records(page, sessionId)).filter(
      r => r.kind === 'event' && r.type === 'typing'
    );
    expect(typed.length).toBeLessThanOrEqual(Math.ceil(typingS / 10) + 1);

    // Notebook command keys typed in the message box stay in it: no cell
    // added (b, a) or deleted (d d).
    const before = await cellSources(page);
    const message = room.getByTestId('mil-room-message');
    await message.click();
    await page.keyboard.type('b');
    await page.keyboard.type('dd');
    await page.keyboard.type('a');
    await expect(message).toHaveValue('bdda');
    expect(await cellSources(page)).toEqual(before);
    await page.keyboard.press('Escape');
    await page.keyboard.type('b');
    await expect(message).toHaveValue('bddab');
    expect(await cellSources(page)).toEqual(before);
  });

  test('light, high-contrast and dark: screenshots of the room and the report, axe-core on the room', async ({
    page
  }, testInfo) => {
    const room = await startInterview(page, 'themes.ipynb', 30);
    // Something in every part: a hint, a line, a run.
    await room.getByTestId('mil-room-hint').click();
    await expect(room.getByTestId('mil-room-hints').locator('li')).toHaveCount(
      1
    );
    await room
      .getByTestId('mil-room-message')
      .fill('I would use a dictionary.');
    await room.getByTestId('mil-room-send').click();
    await expect(
      room.locator('.mil-room-line-candidate .mil-room-text')
    ).toHaveText(['I would use a dictionary.']);
    // Back to the notebook (the room has the focus after Send).
    await page.activity.activateTab('themes.ipynb');
    const solutionCell = await solutionCellIndex(page, INTERVIEW_CELL);
    await replaceCellSource(page, solutionCell, WRONG_SOLUTION);
    await page.notebook.runCell(solutionCell, { inplace: true });
    await expect(
      room.getByTestId('mil-room-results').getByText(/^0 of 9 tests passed$/)
    ).toBeVisible();

    for (const theme of ['light', 'high-contrast', 'dark']) {
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      } else if (theme === 'high-contrast') {
        // JupyterLab's own high-contrast theme, shipped with JupyterLab 4.
        await page.theme.setTheme('JupyterLab Dark High Contrast');
      } else {
        await page.theme.setLightTheme();
      }
      await checkRoomWithAxe(page, theme, testInfo);
      await attachScreenshot(room, `room-${theme}`, testInfo);
    }

    // The end (in the dark theme): the report opens in a tab of its own.
    const report = page.getByTestId('mil-report');
    for (
      let attempt = 0;
      attempt < 3 && !(await report.isVisible());
      attempt++
    ) {
      await room.getByTestId('mil-room-end').click();
      await page
        .locator('.jp-Dialog')
        .getByRole('button', { name: 'End the interview' })
        .click();
      await report
        .waitFor({ state: 'visible', timeout: 20000 })
        .catch(() => undefined);
    }
    await expect(report).toBeVisible({ timeout: 60000 });
    const frame = page.frameLocator('[data-testid="mil-report-frame"]');
    await expect(frame.locator('body')).toContainText(/Two Sum/);
    await attachScreenshot(report, 'report-dark', testInfo);
    await page.theme.setLightTheme();
    await expect(report).toBeVisible();
    await attachScreenshot(report, 'report-light', testInfo);
  });

  test('a whole short interview by keyboard alone', async ({ page }) => {
    // Any mouse or pointer event the page sees from here on fails the test.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as any).milPointer = seen;
      for (const type of [
        'mousedown',
        'mouseup',
        'pointerdown',
        'pointerup',
        'wheel',
        'contextmenu'
      ]) {
        window.addEventListener(type, () => seen.push(type), true);
      }
    });

    // The command palette: New mock interview.
    await page.keyboard.press('Control+Shift+C');
    const palette = page.locator('#modal-command-palette');
    await expect(palette).toBeVisible();
    await page.keyboard.type('New mock interview');
    await expect(
      palette.locator('.lm-CommandPalette-item.lm-mod-active')
    ).toContainText('New mock interview');
    await page.keyboard.press('Enter');

    // The picker: arrows to Two Sum, Tab to the minutes, Enter starts.
    const picker = page.getByTestId('mil-picker');
    await expect(picker).toBeVisible();
    const focusedProblem = () =>
      page.evaluate(() => {
        const active = document.activeElement as HTMLInputElement | null;
        return active?.name === 'mil-picker-problem'
          ? ((active.closest('label') as HTMLElement | null)?.dataset.problem ??
              '')
          : '';
      });
    await expect.poll(focusedProblem).not.toBe('');
    for (let i = 0; i < 40 && !/two_sum$/.test(await focusedProblem()); i++) {
      await page.keyboard.press('ArrowDown');
    }
    expect(await focusedProblem()).toMatch(/two_sum$/);
    await page.keyboard.press('Tab');
    await expect(page.locator('#mil-picker-minutes')).toBeFocused();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('5');
    await page.keyboard.press('Enter');

    // The notebook opens with the room docked and the cursor in the stub.
    const room = page.getByTestId('mil-room');
    await expect(room.getByRole('heading', { name: /Two Sum/ })).toBeVisible({
      timeout: 120000
    });
    await expect
      .poll(
        () =>
          page.evaluate(() => {
            const active = document.activeElement;
            const cell = active?.closest('.jp-Cell');
            return Boolean(
              active?.closest('.cm-editor') &&
              cell?.textContent?.includes('%%solution')
            );
          }),
        { timeout: 60000 }
      )
      .toBe(true);
    // The stub's `...` is selected: the body replaces it.
    await page.keyboard.type(
      'return next([i, j] for i in range(len(nums)) for j in range(i + 1, len(nums)) if nums[i] + nums[j] == target)'
    );

    // Run my solution: Alt+Shift+R.
    await page.keyboard.press('Alt+Shift+R');
    await expect(
      room.getByTestId('mil-room-results').getByText(/^9 of 9 tests passed$/)
    ).toBeVisible({ timeout: 120000 });

    // A hint: Alt+Shift+H; the focus lands in the message box.
    await page.keyboard.press('Alt+Shift+H');
    await expect(room.getByTestId('mil-room-hints').locator('li')).toHaveCount(
      1
    );
    const message = room.getByTestId('mil-room-message');
    await expect(message).toBeFocused();

    // A message, sent with Enter.
    await page.keyboard.type('It is quadratic: O(n^2) time and O(1) space.');
    await page.keyboard.press('Enter');
    await expect(
      room.locator('.mil-room-line-candidate .mil-room-text').last()
    ).toHaveText('It is quadratic: O(n^2) time and O(1) space.');
    await expect(message).toHaveValue('');

    // End: Tab to the End button, Enter, Tab to "End the interview", Enter
    // (again if the coach asks one more question first).
    const report = page.getByTestId('mil-report');
    const focusedTestId = () =>
      page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.dataset.testid
      );
    for (
      let attempt = 0;
      attempt < 3 && !(await report.isVisible());
      attempt++
    ) {
      await expect(room.getByTestId('mil-room-end')).toBeEnabled();
      await message.focus();
      for (
        let i = 0;
        i < 10 && (await focusedTestId()) !== 'mil-room-end';
        i++
      ) {
        await page.keyboard.press('Tab');
      }
      expect(await focusedTestId()).toBe('mil-room-end');
      await page.keyboard.press('Enter');
      const confirm = page
        .locator('.jp-Dialog')
        .getByRole('button', { name: 'End the interview' });
      await expect(confirm).toBeVisible();
      for (let i = 0; i < 6; i++) {
        if (await confirm.evaluate(node => node === document.activeElement)) {
          break;
        }
        await page.keyboard.press('Tab');
      }
      await expect(confirm).toBeFocused();
      await page.keyboard.press('Enter');
      await report
        .waitFor({ state: 'visible', timeout: 30000 })
        .catch(() => undefined);
    }
    await expect(report).toBeVisible({ timeout: 60000 });
    await expect(
      page.frameLocator('[data-testid="mil-report-frame"]').locator('body')
    ).toContainText(/Two Sum/);

    expect(
      await page.evaluate(() => (window as any).milPointer as string[])
    ).toEqual([]);
  });

  test('the clock warns in words near zero; a reload shows the same room', async ({
    page
  }) => {
    // A one-minute interview: under a minute left from the start.
    const room = await startInterview(page, 'clock.ipynb', 1);
    const clock = room.getByTestId('mil-room-clock');
    await expect(clock).toHaveAttribute('data-level', 'critical');
    await expect(room.getByTestId('mil-room-clock-words')).toHaveText(
      'Less than a minute left'
    );
    await expect(room.getByTestId('mil-room-clock-announcer')).toContainText(
      'Less than a minute left'
    );

    // A hint, then a reload: the same hint in the same room.
    await room.getByTestId('mil-room-hint').click();
    const hints = room.getByTestId('mil-room-hints').locator('li');
    await expect(hints).toHaveCount(1);
    const hintText = (await hints.first().innerText()).trim();
    expect(hintText).not.toBe('');
    // Saved as the candidate would (the room has the focus: Galata's own
    // save wants the notebook's tab current).
    await page.evaluate(script => eval(script).parent.context.save(), NOTEBOOK);
    // The restored layout has the notebook and the room, not the launcher
    // Galata waits for by default.
    await page.reload({ waitForIsReady: false });
    const restored = page.getByTestId('mil-room');
    await expect(
      restored.getByRole('heading', { name: /Two Sum/ })
    ).toBeVisible({ timeout: 60000 });
    await expect(
      restored.getByTestId('mil-room-hints').locator('li')
    ).toHaveText([hintText]);

    // Time is up: the server ends the interview and the clock says so.
    const restoredClock = restored.getByTestId('mil-room-clock');
    await expect(restoredClock).toHaveAttribute('data-level', 'ended', {
      timeout: 180000
    });
    await expect(restored.getByTestId('mil-room-clock-words')).toHaveText(
      'Interview over'
    );
    await expect(restored.getByTestId('mil-room-message')).toBeDisabled();
  });
});
