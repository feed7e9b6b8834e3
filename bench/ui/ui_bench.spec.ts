/**
 * The notebook's speed on screen, through the real stack: JupyterLab, the
 * server extension, the candidate's kernel, the sandbox kernel and the
 * ipywidgets panel, in headless Chromium.
 *
 * 1. `%interview two_sum --minutes 30`: from the key press that runs the
 *    cell to the panel on screen with the problem's title and the countdown
 *    (target: p50 and p95 under 1 s). Warm: the same kernel, the previous
 *    interview ended first. Fresh: the first run in a restarted kernel. And
 *    once, the very first interview after the server started.
 * 2. `%%solution`: from the key press to that run's outcome in the panel's
 *    results table (target: under 300 ms). Wrong and right solutions take
 *    turns, so the table changes every time and the text waited for ("0 of 9
 *    tests passed", then "9 of 9") can only come from this run. And once,
 *    the very first run after the server started (it starts the sandbox
 *    kernel then).
 *
 * Where the clock is read: in the page. A capturing `keydown` listener on
 * the window takes `performance.now()` when the browser hands the page the
 * Ctrl+Enter, before JupyterLab's shortcut handler sees it; a
 * MutationObserver on the panel's cell checks for the expected text at
 * every DOM change; the time reported is read after the next animation
 * frame has painted it (a message posted from that frame's callback runs
 * after its layout and paint). Timing from
 * Playwright's side would add the DevTools round trips and the polling
 * interval of its waits (tens to hundreds of ms), which is the size of what
 * is measured here.
 *
 * Each measure has 3 warm-up runs, then BENCH_UI_RUNS (20) measured ones.
 * The table is printed; the figures go to bench/results/ui.json. A split
 * of where the time went comes from the kernel messages seen in the page
 * (the kernel stamps each message it sends).
 *
 * Run: `make bench-ui`, or from ui-tests/:
 *   jlpm playwright test --config ../bench/ui/playwright.config.js
 */
import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import * as fs from 'fs';
import * as path from 'path';

const WARM_UP = 3;
const RUNS = Number(process.env.BENCH_UI_RUNS || 20);
const FRESH_RUNS = Number(process.env.BENCH_UI_FRESH_RUNS || 5);
// Another problem with the same function and title, e.g. a copy of two_sum
// in a pack of its own (MOCK_INTERVIEWER_PACKS) to compare settings; its
// figures go to ui-<name>.json so they never replace the real ones.
const PROBLEM = process.env.BENCH_UI_PROBLEM || 'two_sum';
const RESULTS = path.resolve(
  __dirname,
  '..',
  'results',
  PROBLEM === 'two_sum' ? 'ui.json' : `ui-${PROBLEM.replace(/\W+/g, '_')}.json`
);

const CONTROL_CELL = 0;
const INTERVIEW_CELL = 1;
const SOLUTION_CELL = 2;

const LOAD = '%load_ext mock_interviewer_lab';
const START = `%interview ${PROBLEM} --minutes 30`;
// The second `end` is for an interview with code in it: the first one asks
// for the complexity before wrapping up (coach.force_big_o_at_end); on an
// interview already over it only prints a line on stderr.
const END = '%interview end\n%interview end';

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

/** What the page waits for in the interview cell's output. */
type Expectation =
  { kind: 'panel'; title: string } | { kind: 'results'; text: string };

/** One kernel message as the page saw it. */
interface IMessageSeen {
  at: number; // performance.now() in the page
  wall: number; // Date.now() in the page
  direction: 'send' | 'recv';
  type: string;
  kernelDate: number | null; // the sender's header.date (ms since the epoch)
  state: string | null; // status: execution_state
  carries: string | null; // comm_msg: which awaited text its value holds
  id: string;
  parent: string | null;
}

/** One measured run, from the page. */
interface ISample {
  keyAt: number;
  domAt: number;
  frameAt: number;
  paintedAt: number;
  messages: IMessageSeen[];
}

interface ISummary {
  runs: number;
  p50_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
  mean_ms: number;
  target_ms: number | null;
  samples_ms: number[];
}

function pct(values: number[], q: number): number {
  const ordered = [...values].sort((a, b) => a - b);
  return ordered[
    Math.min(ordered.length - 1, Math.round(q * (ordered.length - 1)))
  ];
}

function summarise(values: number[], target: number | null): ISummary {
  return {
    runs: values.length,
    p50_ms: pct(values, 0.5),
    p95_ms: pct(values, 0.95),
    min_ms: Math.min(...values),
    max_ms: Math.max(...values),
    mean_ms: values.reduce((a, b) => a + b, 0) / values.length,
    target_ms: target,
    samples_ms: values.map(v => Math.round(v * 10) / 10)
  };
}

/**
 * Installs the probe in the page: the key listener, the kernel message log
 * and `arm`, which resolves once the expected text is on screen.
 */
async function installProbe(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    if (w.milBench) {
      return;
    }
    const bench: any = {
      keyAt: null as number | null,
      messages: [] as any[],
      hooked: new WeakSet<object>(),
      awaited: null as RegExp | null
    };
    w.milBench = bench;
    window.addEventListener(
      'keydown',
      (event: KeyboardEvent) => {
        if (event.key === 'Enter' && event.ctrlKey && bench.keyAt === null) {
          bench.keyAt = performance.now();
        }
      },
      true
    );
    // The kernel's messages, to split the time (hooked again after a restart).
    bench.hookKernel = () => {
      const kernel =
        w.jupyterapp.shell.currentWidget.sessionContext.session?.kernel;
      if (!kernel || bench.hooked.has(kernel)) {
        return;
      }
      bench.hooked.add(kernel);
      kernel.anyMessage.connect((_sender: unknown, args: any) => {
        if (bench.keyAt === null) {
          return;
        }
        const msg = args.msg;
        let carries: string | null = null;
        const type = msg.header.msg_type;
        if ((type === 'comm_msg' || type === 'comm_open') && bench.awaited) {
          const value = msg.content?.data?.state?.value;
          if (typeof value === 'string' && bench.awaited.test(value)) {
            carries = 'awaited';
          }
        }
        bench.messages.push({
          at: performance.now(),
          wall: Date.now(),
          direction: args.direction,
          type: msg.header.msg_type,
          kernelDate: msg.header.date ? Date.parse(msg.header.date) : null,
          state: msg.content?.execution_state ?? null,
          carries,
          id: msg.header.msg_id,
          parent: msg.parent_header?.msg_id ?? null
        });
      });
    };
    bench.arm = (
      cellIndex: number,
      expectation: Expectation,
      timeoutMs: number
    ) => {
      bench.hookKernel();
      bench.keyAt = null;
      bench.messages = [];
      const notebook = w.jupyterapp.shell.currentWidget.content;
      const cellNode: HTMLElement = notebook.widgets[cellIndex].node;
      const shown = (el: Element) =>
        el.isConnected && el.getBoundingClientRect().height > 0;
      const texts = () =>
        Array.from(cellNode.querySelectorAll('.widget-html-content'));
      let done: () => boolean;
      if (expectation.kind === 'panel') {
        bench.awaited = new RegExp(expectation.title);
        done = () =>
          Array.from(cellNode.querySelectorAll('h3')).some(
            h => h.textContent?.includes(expectation.title) && shown(h)
          ) &&
          texts().some(
            t => /\d\d:\d\d left/.test(t.textContent || '') && shown(t)
          );
      } else {
        const wanted = new RegExp(`(^|\\D)${expectation.text}`);
        bench.awaited = wanted;
        done = () =>
          texts().some(
            t =>
              wanted.test(t.textContent || '') &&
              t.querySelector('table') !== null &&
              shown(t)
          );
      }
      if (done()) {
        throw new Error(
          `already on screen before the run: ${JSON.stringify(expectation)}`
        );
      }
      bench.pending = new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error(`not on screen after ${timeoutMs} ms`));
        }, timeoutMs);
        const observer = new MutationObserver(() => {
          if (!done()) {
            return;
          }
          const domAt = performance.now();
          observer.disconnect();
          clearTimeout(timer);
          requestAnimationFrame(() => {
            const frameAt = performance.now();
            // A message posted from the frame callback runs after that
            // frame's style, layout and paint.
            const channel = new MessageChannel();
            channel.port1.onmessage = () =>
              resolve({
                keyAt: bench.keyAt,
                domAt,
                frameAt,
                paintedAt: performance.now()
              });
            channel.port2.postMessage(null);
          });
        });
        observer.observe(cellNode, {
          subtree: true,
          childList: true,
          characterData: true,
          attributes: true
        });
      });
    };
    bench.result = async () => {
      const sample = await bench.pending;
      // Messages still arriving for this run after the frame do not matter.
      return { ...sample, messages: bench.messages.slice() };
    };
  });
}

async function setSource(
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

/** Runs a cell to its end (Galata waits for the kernel to be idle). */
async function runToEnd(
  page: IJupyterLabPageFixture,
  index: number,
  source?: string
): Promise<void> {
  if (source !== undefined) {
    await setSource(page, index, source);
  }
  await page.notebook.runCell(index, { inplace: true });
}

/**
 * Runs a cell and times it from the key press to `expectation` on screen in
 * the panel (the output of the `%interview` cell).
 */
async function timedRun(
  page: IJupyterLabPageFixture,
  index: number,
  expectation: Expectation
): Promise<ISample> {
  await page.evaluate(
    ({ panelCell, expectation }) =>
      (window as any).milBench.arm(panelCell, expectation, 60000),
    { panelCell: INTERVIEW_CELL, expectation }
  );
  await page.notebook.runCell(index, { inplace: true, wait: false });
  const sample = (await page.evaluate(() =>
    (window as any).milBench.result()
  )) as ISample;
  if (sample.keyAt === null) {
    throw new Error('the page never saw the Ctrl+Enter');
  }
  // The cell goes on (the magic prints its line, the POST returns): the next
  // run starts only once the kernel is idle again.
  await page.notebook.waitForRun(index);
  return sample;
}

/** Ends any interview, empties the panel's cell, drops the extra stubs. */
async function resetInterviewCell(page: IJupyterLabPageFixture): Promise<void> {
  await runToEnd(page, CONTROL_CELL, END);
  await page.evaluate(
    ({ interview, solution }) => {
      const notebook = (window as any).jupyterapp.shell.currentWidget.content;
      notebook.widgets[interview].model.outputs.clear();
      const shared = notebook.model.sharedModel;
      // Each `%interview` puts a new `%%solution` stub below itself.
      if (shared.cells.length > solution) {
        shared.deleteCellRange(solution, shared.cells.length);
      }
    },
    { interview: INTERVIEW_CELL, solution: SOLUTION_CELL }
  );
}

async function restartKernel(page: IJupyterLabPageFixture): Promise<void> {
  await page.evaluate(async () => {
    const context = (window as any).jupyterapp.shell.currentWidget
      .sessionContext;
    await context.session.kernel.restart();
  });
  await page.locator('#jp-main-statusbar >> text=Idle').waitFor();
}

/** Where the time of one run went, from the kernel messages. */
interface IBreakdown {
  key_to_request_ms: number | null;
  request_to_kernel_busy_ms: number | null;
  busy_to_awaited_sent_ms: number | null;
  awaited_sent_to_received_ms: number | null;
  received_to_dom_ms: number | null;
  display_received_to_dom_ms: number | null;
  dom_to_painted_ms: number;
}

function breakdown(sample: ISample): IBreakdown {
  const request = sample.messages.find(
    m => m.direction === 'send' && m.type === 'execute_request'
  );
  const busy = sample.messages.find(
    m =>
      m.direction === 'recv' &&
      m.type === 'status' &&
      m.state === 'busy' &&
      (!request || m.parent === request.id)
  );
  const awaited = sample.messages.find(m => m.carries === 'awaited');
  const display = sample.messages.find(
    m => m.direction === 'recv' && m.type === 'display_data'
  );
  // The kernel stamps each message with the wall clock of this same
  // machine: in the page's clock, a message was sent (wall at arrival -
  // kernel stamp) before it arrived.
  const sentAt = (m: IMessageSeen | undefined) =>
    m && m.kernelDate !== null ? m.at - (m.wall - m.kernelDate) : null;
  const minus = (a: number | null, b: number | null) =>
    a === null || b === null ? null : a - b;
  const requestAt = request ? request.at : null;
  const busyPage = sentAt(busy);
  const awaitedSentPage = sentAt(awaited);
  return {
    key_to_request_ms: minus(requestAt, sample.keyAt),
    request_to_kernel_busy_ms: minus(busyPage, requestAt),
    busy_to_awaited_sent_ms: minus(awaitedSentPage, busyPage),
    awaited_sent_to_received_ms: minus(
      awaited ? awaited.at : null,
      awaitedSentPage
    ),
    received_to_dom_ms: minus(sample.domAt, awaited ? awaited.at : null),
    display_received_to_dom_ms: minus(
      sample.domAt,
      display ? display.at : null
    ),
    dom_to_painted_ms: sample.paintedAt - sample.domAt
  };
}

function medianBreakdown(parts: IBreakdown[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const key of Object.keys(parts[0]) as (keyof IBreakdown)[]) {
    const values = parts
      .map(p => p[key])
      .filter((v): v is number => v !== null);
    out[`${key.replace(/_ms$/, '')}_p50_ms`] = values.length
      ? Math.round(pct(values, 0.5) * 10) / 10
      : null;
  }
  return out;
}

function onScreenMs(sample: ISample): number {
  return sample.paintedAt - sample.keyAt;
}

function table(rows: [string, ISummary][]): string {
  const f = (v: number) => v.toFixed(0).padStart(6);
  const lines = [
    `${'measure'.padEnd(58)} ${'runs'.padStart(4)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'min'.padStart(6)} ${'max'.padStart(6)}  target`,
    '-'.repeat(106)
  ];
  for (const [name, s] of rows) {
    const target =
      s.target_ms === null
        ? ''
        : `< ${s.target_ms} ms: p50 ${s.p50_ms < s.target_ms ? 'met' : 'MISSED'}, p95 ${s.p95_ms < s.target_ms ? 'met' : 'MISSED'}`;
    lines.push(
      `${name.padEnd(58)} ${String(s.runs).padStart(4)} ${f(s.p50_ms)} ${f(s.p95_ms)} ${f(s.min_ms)} ${f(s.max_ms)}  ${target}`
    );
  }
  return lines.join('\n');
}

// Galata proxies the kernels and sessions REST calls through Playwright to
// track them, which breaks a kernel restart (it answers 201 where
// JupyterLab expects 200) and is not the real stack: let them through.
test.use({ kernels: null, sessions: null, terminals: null } as any);

test('UI speed: the panel and the test results on screen', async ({ page }) => {
  await page.notebook.createNew('bench.ipynb');
  await page.notebook.setCell(CONTROL_CELL, 'code', LOAD);
  await page.notebook.addCell('code', START);
  await runToEnd(page, CONTROL_CELL);
  await installProbe(page);

  const panel: Expectation = { kind: 'panel', title: 'Two Sum' };

  // The very first interview after the server started.
  const first = await timedRun(page, INTERVIEW_CELL, panel);

  // 1. Warm kernel.
  const warm: ISample[] = [];
  for (let i = 0; i < WARM_UP + RUNS; i++) {
    await resetInterviewCell(page);
    const sample = await timedRun(page, INTERVIEW_CELL, panel);
    if (i >= WARM_UP) {
      warm.push(sample);
    }
  }

  // 2. Test results, wrong and right by turns, in the last interview.
  const results: { sample: ISample; right: boolean }[] = [];
  let firstResults: ISample | null = null;
  for (let i = 0; i < WARM_UP + RUNS; i++) {
    const right = i % 2 === 1;
    await setSource(
      page,
      SOLUTION_CELL,
      right ? RIGHT_SOLUTION : WRONG_SOLUTION
    );
    const sample = await timedRun(page, SOLUTION_CELL, {
      kind: 'results',
      text: right ? '9 of 9 tests passed' : '0 of 9 tests passed'
    });
    if (i === 0) {
      // The server's first test run: it starts the sandbox kernel.
      firstResults = sample;
    } else if (i >= WARM_UP) {
      results.push({ sample, right });
    }
  }

  // 3. The first `%interview` in a restarted kernel (its first run of the
  // magic finds the server, then starts; the server stays warm).
  const fresh: ISample[] = [];
  for (let i = 0; i < FRESH_RUNS; i++) {
    await resetInterviewCell(page);
    await restartKernel(page);
    await runToEnd(page, CONTROL_CELL, LOAD);
    fresh.push(await timedRun(page, INTERVIEW_CELL, panel));
  }

  const rows: [string, ISummary][] = [
    [
      '%interview -> panel on screen (warm kernel)',
      summarise(warm.map(onScreenMs), 1000)
    ],
    [
      '%interview -> panel on screen (first run, fresh kernel)',
      summarise(fresh.map(onScreenMs), 1000)
    ],
    [
      '%interview -> panel, first after server start (cold)',
      summarise([onScreenMs(first)], null)
    ],
    [
      '%%solution -> results, first after server start (cold)',
      summarise(firstResults ? [onScreenMs(firstResults)] : [], null)
    ],
    [
      '%%solution -> results on screen (wrong and right)',
      summarise(
        results.map(r => onScreenMs(r.sample)),
        300
      )
    ],
    [
      '%%solution -> results, wrong solution (0 of 9)',
      summarise(
        results.filter(r => !r.right).map(r => onScreenMs(r.sample)),
        300
      )
    ],
    [
      '%%solution -> results, right solution (9 of 9)',
      summarise(
        results.filter(r => r.right).map(r => onScreenMs(r.sample)),
        300
      )
    ]
  ];
  const split = {
    note:
      'p50 of each step, in ms. key_to_request: JupyterLab from the key press ' +
      'to sending execute_request; request_to_kernel_busy: to the kernel ' +
      'starting the cell; busy_to_awaited_sent: the cell in the kernel up to ' +
      'the comm message with the awaited text (the magic, the server, the ' +
      'harness for results); awaited_sent_to_received: that message from ' +
      'the kernel to the page (through the server); received_to_dom: ' +
      'ipywidgets rendering it; dom_to_painted: to the painted frame.',
    results_wrong: medianBreakdown(
      results.filter(r => !r.right).map(r => breakdown(r.sample))
    ),
    results_right: medianBreakdown(
      results.filter(r => r.right).map(r => breakdown(r.sample))
    ),
    panel_warm: medianBreakdown(warm.map(breakdown))
  };

  const report = table(rows);
  console.log(
    `\nUI speed, ${PROBLEM} (headless Chromium, ${RUNS} runs after ${WARM_UP} warm-up)\n${report}`
  );
  console.log('\nWhere the time went (p50, ms):');
  for (const [name, parts] of Object.entries(split)) {
    if (typeof parts !== 'string') {
      console.log(`  ${name}: ${JSON.stringify(parts)}`);
    }
  }
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(
    RESULTS,
    JSON.stringify(
      {
        measured_at: new Date().toISOString(),
        problem: PROBLEM,
        warm_up: WARM_UP,
        measures: Object.fromEntries(rows),
        breakdown: split
      },
      null,
      2
    ) + '\n'
  );
  expect(warm.length).toBe(RUNS);
  expect(results.length).toBe(RUNS);
});
