/**
 * Playwright configuration: Galata's defaults, the system Chromium (the
 * browser Playwright downloads does not run on every machine), and a
 * JupyterLab server of our own with test-only settings.
 */
const path = require('path');
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const PORT = 8899;
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const VENV_BIN = path.resolve(__dirname, '..', '.venv', 'bin');

module.exports = {
  ...baseConfig,
  testDir: './tests',
  // One JupyterLab and a 2-core machine: run the tests one after another.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The interview test starts a kernel and a sandbox kernel and runs the
  // harness twice, which takes more than Playwright's 30 s default (and,
  // on a machine busy with other work, several times longer).
  timeout: 240 * 1000,
  // A busy machine (both cores taken by something else) renders slowly:
  // every expectation waits up to 30 s rather than Playwright's 5 s. The
  // checks are on what appears, never on how fast.
  expect: { timeout: 30 * 1000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${PORT}`,
    headless: true,
    // Tall enough for the whole interview panel in the screenshot.
    viewport: { width: 1280, height: 1600 },
    trace: 'retain-on-failure',
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
    command: `${path.join(VENV_BIN, 'jupyter')} lab --config jupyter_server_test_config.py`,
    url: `http://localhost:${PORT}/lab`,
    cwd: __dirname,
    env: {
      ...process.env,
      PATH: `${VENV_BIN}${path.delimiter}${process.env.PATH}`,
      MOCK_INTERVIEWER_SETTINGS: path.join(__dirname, 'settings.toml')
    },
    timeout: 120 * 1000,
    reuseExistingServer: false
  }
};
