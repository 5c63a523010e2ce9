// A person in headless Chromium, for the C++ integration tests (FrontEnds/SharingScenario, through
// tests/integration/harness/browser_invitee.cpp): opens an invite URL, logs in, then does what the
// test says, one command per line on stdin, each answered by one line on stdout: "OK", or
// "FAIL <why>" with what the page and its terminal show (on one line).
//
//   node join_and_control.js URL USER     stdin: the web password on the first line, then:
//   CLICK <label>     clicks the button labelled so (Enter, Apply for control, Release control)
//   TERMINAL <text>   waits until a row of the terminal (the xterm buffer) contains text
//   PAGE <text>       waits until the page's text contains text (a status, a notice, a code)
//   TYPE <line>       types line into the terminal, then Enter
//   QUIT (or EOF)     closes the browser and exits
// The first answer comes once the login has led to the invitation.
'use strict';

const readline = require('node:readline');
const { until, launchBrowser, newContext, logIn, pageScreen } = require('../fixture');

const WAIT_MS = 30000;

// Playwright's messages are coloured and span lines; an answer is one plain line.
const oneLine = (text) => String(text).replace(/\x1b\[[0-9;]*m/g, '').replace(/\s*\n\s*/g, ' | ');

// What the person sees, for a FAIL line.
async function describe(page) {
  const main = await page.locator('main').innerText().catch(() => '(no page)');
  const rows = await pageScreen(page).catch(() => []);
  return `page: ${oneLine(main)} -- terminal: ${oneLine(rows.map((r) => r.trimEnd()).join('\n'))}`;
}

async function openInvitation(page, url, user, password) {
  await page.goto(url);
  await page.waitForURL(/\/login/, { timeout: WAIT_MS });
  await logIn(page, user, password);
  await page.locator('#invitation').waitFor({ state: 'visible', timeout: WAIT_MS });
}

async function run(page, command, argument) {
  switch (command) {
    case 'CLICK':
      return page.getByRole('button', { name: argument, exact: true }).click({ timeout: WAIT_MS });
    case 'TERMINAL':
      return until(`the terminal to show "${argument}"`,
        async () => (await pageScreen(page)).some((row) => row.includes(argument)), WAIT_MS);
    case 'PAGE':
      return until(`the page to show "${argument}"`,
        async () => (await page.locator('body').innerText()).includes(argument), WAIT_MS);
    case 'TYPE':
      await page.locator('#terminal').click();
      await page.keyboard.type(argument);
      return page.keyboard.press('Enter');
    default:
      throw new Error(`unknown command ${command}`);
  }
}

async function main() {
  const [url, user] = process.argv.slice(2);
  const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const password = (await lines.next()).value || '';
  const browser = await launchBrowser();
  try {
    const page = await (await newContext(browser)).newPage();
    const answer = async (step) => {
      try {
        await step();
        console.log('OK');
      } catch (e) {
        console.log(`FAIL ${oneLine(e.message)} -- ${await describe(page)}`);
      }
    };
    await answer(() => openInvitation(page, url, user, password));
    for (;;) {
      const { value, done } = await lines.next();
      if (done || value === 'QUIT') break;
      const space = value.indexOf(' ');
      const command = space < 0 ? value : value.slice(0, space);
      await answer(() => run(page, command, space < 0 ? '' : value.slice(space + 1)));
    }
  } finally {
    await browser.close();
  }
}

// Exits explicitly: after QUIT, stdin may still be open (the test keeps its end until it reaps us).
main().then(() => process.exit(0), (e) => {
  console.log(`FAIL ${oneLine(e.stack || e)}`);
  process.exit(1);
});
