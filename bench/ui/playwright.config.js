/**
 * The UI speed bench (ui_bench.spec.ts): Playwright with ui-tests' packages,
 * the system Chromium, and a JupyterLab of its own on port 8898, so it never
 * meets the UI tests' server on 8899. Not part of `make test`.
 *
 * Run from ui-tests (whose node_modules it uses):
 *   cd ui-tests && jlpm playwright test --config ../bench/ui/playwright.config.js
 * or `make bench-ui`.
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const UI_TESTS_MODULES = path.join(ROOT, 'ui-tests', 'node_modules');
const VENV_BIN = path.join(ROOT, '.venv', 'bin');
const PORT = 8898;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// The spec imports @jupyterlab/galata and @playwright/test by name; Node
// looks for them in node_modules folders above the spec, and ui-tests'
// folder is not one of them. A link here to ui-tests' node_modules makes
// them resolve to the very copies the playwright command runs from (two
// copies of @playwright/test in one run would refuse to work).
const LINK = path.join(__dirname, 'node_modules');
let linked = false;
try {
  linked = fs.lstatSync(LINK) !== undefined;
} catch {
  linked = false;
}
if (!linked) {
  fs.symlinkSync(path.relative(__dirname, UI_TESTS_MODULES), LINK, 'dir');
}

const baseConfig = require(
  path.join(
    UI_TESTS_MODULES,
    '@jupyterlab',
    'galata',
    'lib',
    'playwright-config'
  )
);

module.exports = {
  ...baseConfig,
  testDir: __dirname,
  testMatch: 'ui_bench.spec.ts',
  outputDir: path.join(__dirname, 'test-results'),
  // One JupyterLab, one notebook, a 2-core machine: nothing in parallel.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  // 3 warm-up and 20 measured runs of each measure, plus fresh kernels.
  timeout: 20 * 60 * 1000,
  reporter: [['list']],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${PORT}`,
    headless: true,
    viewport: { width: 1280, height: 1600 },
    trace: 'off',
    video: 'off',
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: `${path.join(VENV_BIN, 'jupyter')} lab --config jupyter_server_bench_config.py`,
    url: `http://localhost:${PORT}/lab`,
    cwd: __dirname,
    env: {
      ...process.env,
      PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH}`
    },
    // The server's log (request times) goes to the bench's output: it is
    // where the time of the results path can be split.
    stdout: process.env.BENCH_UI_SERVER_LOG ? 'pipe' : 'ignore',
    stderr: process.env.BENCH_UI_SERVER_LOG ? 'pipe' : 'ignore',
    timeout: 120 * 1000,
    reuseExistingServer: false
  }
};
