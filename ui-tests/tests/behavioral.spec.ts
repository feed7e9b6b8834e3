/**
 * A behavioural interview in the docked room (issue 14): `%interview
 * behavioral --stage hiring_manager` opens the same room in its second
 * view; the candidate answers the first question in the room's answer box,
 * sees the brief feedback, skips the follow-up, moves on, and sees the
 * question's feedback card with its score; End (confirmed) brings the
 * session summary. A model the settings refuse: the room's fallback notice
 * and each score marked as the offline scorer's, after a reload too. A
 * spoken answer (the browser's fake microphone): its delivery block.
 *
 * Every check is on what appears (generous timeouts), never on how fast.
 */
import { expect, galata, IJupyterLabPageFixture } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

import { NOTEBOOK } from './helpers';
import { withFakeMicrophone } from './spoken';

// The spoken answer of the voice test. Chromium loops it: the silence after
// it is longer than the server's wait before it posts a silence (8 s), which
// ends a spoken answer, so the first time it is said is scored alone.
const test = withFakeMicrophone({
  sentence:
    'I led the move to the new billing system and we cut the invoice errors by half',
  leadSilenceS: 1,
  trailSilenceS: 14
});

// Galata's mock of JupyterLab's /api/sessions/<id> would also answer the
// room's mock-interviewer/api/sessions/<id>: leave sessions to the server.
test.use({ sessions: null });

// An answer with gaps (no result, no numbers): the interviewer probes it.
const FIRST_LINE = 'We had a hard project with another team last year.';
const SECOND_LINE = 'I talked to them and we worked it out together.';

async function cellCount(page: IJupyterLabPageFixture): Promise<number> {
  return page.evaluate(
    script => eval(script).model.sharedModel.cells.length,
    NOTEBOOK
  );
}

async function startBehavioral(
  page: IJupyterLabPageFixture,
  name = 'behavioral.ipynb',
  more = ''
): Promise<Locator> {
  await page.notebook.createNew(name);
  await page.notebook.setCell(0, 'code', '%load_ext mock_interviewer_lab');
  await page.notebook.addCell(
    'code',
    `%interview behavioral --stage hiring_manager${more}`
  );
  await page.notebook.runCell(0, { inplace: true });
  await page.notebook.runCell(1, { inplace: true });
  const room = page.getByTestId('mil-room');
  await expect(room.getByTestId('mil-bq-progress')).toContainText(
    'Question 1 of 5',
    { timeout: 120 * 1000 }
  );
  return room;
}

test('a behavioural question answered in the room, its brief feedback and its feedback card', async ({
  page
}, testInfo) => {
  const room = await startBehavioral(page);
  const progress = room.getByTestId('mil-bq-progress');
  const question = room.getByTestId('mil-bq-question');
  await expect(question).not.toBeEmpty();
  await expect(room.getByTestId('mil-bq-setup')).toContainText(
    'Hiring manager'
  );
  // The behavioural view, not the coding one.
  await expect(room.getByTestId('mil-room-problem')).toBeHidden();
  await expect(room.getByTestId('mil-room-run')).toBeHidden();
  await expect(room.getByTestId('mil-room-results')).toBeHidden();
  // The history's section is there from the start (its chart or its words).
  await expect(room.getByTestId('mil-bq-history')).toContainText(
    /session|No scored/
  );

  // A multi-line answer: Enter is a new line, nothing is sent, and no key
  // typed in the box reaches the notebook (b, a, d would add or delete cells).
  const cells = await cellCount(page);
  const answer = room.getByTestId('mil-bq-answer');
  await expect(answer).toHaveAccessibleName('Your answer');
  await answer.click();
  await answer.pressSequentially(FIRST_LINE);
  await answer.press('Enter');
  await answer.pressSequentially(SECOND_LINE);
  await expect(answer).toHaveValue(`${FIRST_LINE}\n${SECOND_LINE}`);
  await expect(room.getByTestId('mil-bq-brief')).toBeHidden();
  expect(await cellCount(page)).toBe(cells);

  // Ctrl+Enter sends it: the brief feedback, with a score.
  await answer.press('Control+Enter');
  const brief = room.getByTestId('mil-bq-brief');
  await expect(brief).toBeVisible({ timeout: 60 * 1000 });
  await expect(brief).toContainText(/\d+\/10 · level L[45]/);
  await expect(brief).toContainText('Your answer to question 1');
  // Who scored it, and no delivery block for a typed answer.
  await expect(brief.getByTestId('mil-bq-by')).toContainText('scored offline');
  await expect(brief.getByTestId('mil-bq-delivery')).toHaveCount(0);
  await expect(answer).toHaveValue('');

  // The gaps are probed: a follow-up, which the candidate skips.
  await expect(progress).toContainText('Follow-up 1 of 3');
  const skip = room.getByTestId('mil-bq-skip');
  await expect(skip).toBeEnabled();
  await skip.click();
  const card = room.locator('[data-testid="mil-bq-card"][data-question="1"]');
  // Either another follow-up or the question's feedback: then Next.
  await expect(progress.or(card)).toContainText(
    /Follow-up 2 of 3|Question 1 —/
  );
  if (!(await card.isVisible())) {
    await room.getByTestId('mil-bq-next').click();
  }

  // The question's feedback card: score, level, rubric, STAR, revised answer.
  await expect(card).toBeVisible({ timeout: 60 * 1000 });
  await expect(card.getByTestId('mil-bq-card-score')).toHaveText(
    /Score \d+\/10 · level demonstrated L[45][AB]?/
  );
  await expect(card.getByTestId('mil-bq-by')).toContainText('scored offline');
  await expect(card.getByRole('table')).toContainText('Dimension');
  await expect(card).toContainText('Situation');
  await expect(card).toContainText('What landed');
  await expect(card).toContainText("What didn't land");
  await expect(card).toContainText('A better version of your answer');
  await expect(card.locator('q').first()).toBeVisible();
  const shot = testInfo.outputPath('behavioral-room.png');
  await testInfo.attach('behavioral-room', {
    body: await room.screenshot({ path: shot }),
    contentType: 'image/png'
  });
  // The next question, announced.
  await expect(progress).toContainText('Question 2 of 5');
  await expect(room.getByTestId('mil-bq-announcer')).toContainText(
    'Question 2 of 5'
  );

  // End, confirmed: the session summary with its readiness in words.
  await room.getByTestId('mil-bq-end').click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'End the interview' })
    .click();
  // The report opens in a tab of its own; the room keeps the summary.
  await expect(page.getByTestId('mil-report')).toBeVisible({
    timeout: 60 * 1000
  });
  await page.locator('.lm-TabBar-tab', { hasText: 'Interview:' }).click();
  const summary = room.getByTestId('mil-bq-summary');
  await expect(summary).toBeVisible({ timeout: 60 * 1000 });
  await expect(summary).toContainText(
    /Overall \d+\.\d\/10 · (Ready|Almost Ready|Needs Practice)/
  );
  await expect(summary).toContainText('Coaching priorities');
  await expect(room.getByTestId('mil-bq-submit')).toBeDisabled();
  // The history, fetched again, has this session: its chart and its words.
  const history = room.getByTestId('mil-bq-history');
  await expect(history.locator('svg[role="img"]')).toBeVisible();
  await expect(history).toContainText(/Overall scores of \d+ sessions?/);
  const end = testInfo.outputPath('behavioral-summary.png');
  await testInfo.attach('behavioral-summary', {
    body: await room.screenshot({ path: end }),
    contentType: 'image/png'
  });
});

test('a model the settings refuse: the fallback notice and the scores marked, after a reload too', async ({
  page
}) => {
  // privacy.local_only (on by default) refuses a remote model: the offline
  // scorer stands in for it at every step, and says so.
  const room = await startBehavioral(
    page,
    'fallback.ipynb',
    ' --model openai/gpt-4o'
  );
  const notice = room.getByTestId('mil-bq-fallback');
  // The first question's fallback came before the room opened (its snapshot).
  await expect(notice).toContainText('The model is not used');

  const answer = room.getByTestId('mil-bq-answer');
  await answer.fill(`${FIRST_LINE}\n${SECOND_LINE}`);
  await answer.press('Control+Enter');
  const brief = room.getByTestId('mil-bq-brief');
  await expect(brief).toBeVisible({ timeout: 60 * 1000 });
  await expect(brief.getByTestId('mil-bq-by')).toHaveText('scored offline');
  const marked = brief.getByTestId('mil-bq-by-fallback');
  await expect(marked).toHaveText('(the model was not used)');
  await expect(marked).toHaveAttribute('title', /The model is not used/);
  await expect(notice).toContainText('the scripted scorer scores the answers');
  await expect(room.getByTestId('mil-bq-progress')).toContainText(
    'Follow-up 1 of 3'
  );

  // A reload: the same room, the same notice, the same marked score.
  await page.evaluate(script => eval(script).parent.context.save(), NOTEBOOK);
  await page.reload({ waitForIsReady: false });
  const restored = page.getByTestId('mil-room');
  await expect(restored.getByTestId('mil-bq-progress')).toContainText(
    'Follow-up 1 of 3',
    { timeout: 120 * 1000 }
  );
  const restoredBrief = restored.getByTestId('mil-bq-brief');
  await expect(restoredBrief.getByTestId('mil-bq-by')).toHaveText(
    'scored offline'
  );
  await expect(restoredBrief.getByTestId('mil-bq-by-fallback')).toHaveAttribute(
    'title',
    /The model is not used/
  );
  await expect(restored.getByTestId('mil-bq-fallback')).toContainText(
    'The model is not used'
  );
});

test.describe('a spoken answer', () => {
  test.use({
    permissions: ['microphone'],
    // Voice is off unless the candidate turns it on.
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      'mock-interviewer-lab:plugin': { voice: true }
    }
  });

  test('a spoken answer is scored with its delivery', async ({
    page
  }, testInfo) => {
    const room = await startBehavioral(page, 'spoken.ipynb');
    const voice = room.locator('.mil-voice');
    await expect(voice).toBeVisible();
    await voice.getByRole('button', { name: 'Start microphone' }).click();

    // The server hears the sentence, waits for the silence after it, and
    // scores the spoken answer: the brief feedback has its delivery.
    const brief = room.getByTestId('mil-bq-brief');
    await expect(brief).toBeVisible({ timeout: 120 * 1000 });
    await expect(brief).toContainText('Your answer to question 1');
    const delivery = brief.getByTestId('mil-bq-delivery');
    await expect(delivery).toBeVisible();
    await expect(delivery).toContainText('Delivery (spoken answer)');
    await expect(delivery).toContainText(
      /(\d+ words a minute|pace unknown) · \d+ fillers? · \d+ pauses? · .* (within|over) the two-minute guide/
    );
    await expect(delivery.getByRole('list')).toHaveAccessibleName(
      'Time in each STAR part, in the order said:'
    );
    await expect(delivery.getByRole('listitem').first()).toContainText(
      /: \d+ s$/
    );
    await voice.getByRole('button', { name: 'Stop microphone' }).click();
    await testInfo.attach('behavioral-spoken', {
      body: await room.screenshot({
        path: testInfo.outputPath('behavioral-spoken.png')
      }),
      contentType: 'image/png'
    });
  });
});
