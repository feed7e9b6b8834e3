/**
 * The voice widget end to end: Chromium's fake microphone plays a sentence
 * spoken by flite, the widget streams it to the server's voice socket, the
 * server's pocketsphinx (ui-tests/settings.toml) transcribes it, and the
 * candidate's line reaches the panel's transcript.
 */
import { expect, galata } from '@jupyterlab/galata';

import { withFakeMicrophone } from './spoken';

// kal16 is flite's 16 kHz voice; pocketsphinx gets this sentence right.
const SENTENCE = 'I think the answer is to use a dictionary';
// Words of the sentence that pocketsphinx must hear (a few may be misheard).
const CONTENT_WORDS = ['think', 'answer', 'use', 'dictionary'];

const INTERVIEW_CELL = 1;

// More than the server's end of utterance (700 ms of silence) after the
// sentence; Chromium loops the file, so the sentence comes back after it.
const test = withFakeMicrophone({
  sentence: SENTENCE,
  leadSilenceS: 1,
  trailSilenceS: 2
});

test.use({
  // Galata's mock of /api/sessions/<id> would also answer the room's
  // mock-interviewer/api/sessions/<id>.
  sessions: null,
  permissions: ['microphone'],
  // Voice is off unless the candidate turns it on.
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'mock-interviewer-lab:plugin': { voice: true }
  }
});

test('a spoken sentence reaches the transcript through the voice widget', async ({
  page
}, testInfo) => {
  // What the widget tells the server about playing the coach's replies.
  const playback: string[] = [];
  page.on('websocket', socket => {
    if (socket.url().endsWith('/voice')) {
      socket.on('framesent', frame => {
        if (
          typeof frame.payload === 'string' &&
          /"playback"/.test(frame.payload)
        ) {
          playback.push(JSON.parse(frame.payload).state);
        }
      });
    }
  });

  await page.notebook.createNew('voice.ipynb');
  await page.notebook.setCell(0, 'code', '%load_ext mock_interviewer_lab');
  await page.notebook.addCell('code', '%interview two_sum --minutes 30');
  await page.notebook.runCell(0, { inplace: true });
  await page.notebook.runCell(INTERVIEW_CELL, { inplace: true });

  // The microphone is in the room docked beside the notebook.
  const room = page.getByTestId('mil-room');
  await expect(room.getByRole('heading', { name: /Two Sum/ })).toBeVisible();
  const voice = room.locator('.mil-voice');
  await expect(voice).toBeVisible();
  const micButton = voice.getByRole('button', { name: 'Start microphone' });
  await expect(
    voice.getByRole('button', { name: 'Calibrate (3 s of silence)' })
  ).toBeVisible();

  // Every partial hypothesis the widget shows, kept by the page: they come
  // and go faster than a poll could see them.
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as any).milPartials = seen;
    const node = document.querySelector('.mil-room .mil-voice-partial');
    if (node) {
      new MutationObserver(() => {
        const text = node.textContent ?? '';
        if (text) {
          seen.push(text);
        }
      }).observe(node, { childList: true, characterData: true, subtree: true });
    }
  });

  await micButton.click();
  await expect(voice.locator('.mil-voice-status')).toHaveText(
    /Listening \(pocketsphinx\)|The coach is speaking/,
    { timeout: 60000 }
  );

  // The server posts the final as the candidate's line; it comes back to
  // the room through the session's socket, as a typed line would.
  const spokenLines = room.locator('.mil-room-line-candidate .mil-room-text');
  await expect(spokenLines.first()).toBeVisible({ timeout: 60000 });
  let heard = '';
  await expect
    .poll(
      async () => {
        const spoken = (await spokenLines.allInnerTexts()).map(text =>
          text.trim().toLowerCase()
        );
        heard =
          spoken.find(
            text =>
              CONTENT_WORDS.filter(word => text.split(/\s+/).includes(word))
                .length >= 2
          ) ?? '';
        return heard;
      },
      { timeout: 60000 }
    )
    .not.toBe('');
  testInfo.annotations.push({ type: 'heard', description: heard });

  // The coach answered: its reply, spoken by the server's TTS, was decoded
  // and played (and cut short or finished).
  await expect
    .poll(() => playback.join(' '), { timeout: 30000 })
    .toMatch(/started.*ended/);

  const partials: string[] = await page.evaluate(
    () => (window as any).milPartials
  );
  expect(partials.length).toBeGreaterThan(0);
  // No line may say something failed.
  await expect(voice.locator('.mil-voice-error')).toBeEmpty();

  await voice.scrollIntoViewIfNeeded();
  await testInfo.attach('voice', {
    body: await page.screenshot({ path: testInfo.outputPath('voice.png') }),
    contentType: 'image/png'
  });

  // Calibration measures the (looping) sentence as the room's noise and
  // saves it: the server works on a copy of settings.toml (see
  // jupyter_server_test_config.py), never the committed file.
  await voice
    .getByRole('button', { name: 'Calibrate (3 s of silence)' })
    .click();
  await expect(voice.locator('.mil-voice-note')).toHaveText(
    /Noise threshold set to \d\.\d{3} and saved\./,
    { timeout: 30000 }
  );

  await voice.getByRole('button', { name: 'Stop microphone' }).click();
  await expect(voice.locator('.mil-voice-status')).toHaveText('Voice is off.', {
    timeout: 10000
  });
});
