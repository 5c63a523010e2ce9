// The web face end to end, as people use it (docs/web.md): a real SSH creator (OpenSSH in
// tmux, logged in to tandem-sshd, on a managed host) shares; invitees open the printed URL in
// headless Chromium, log in, read the invitation, Enter, watch, apply for control, type, release,
// get refused, leave and come back; two browsers and an SSH invitee at once; the creator's unshare
// ends it for everyone. Screenshots go to the artifacts dir; timings are printed.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  Stack, scenario, until, launchBrowser, newContext, logIn, artifact, pageScreen, sameScreen, visible, pageShows,
} = require('./fixture');

const HOLD = 30000;

async function text(page, selector) {
  return (await page.locator(selector).innerText()).trim();
}

// Polls until the page's terminal shows the same rows as the creator's screen.
async function screensMatch(page, creator, timeout = HOLD) {
  let last = [];
  try {
    await until('the page to show the creator\'s screen', async () => {
      last = await pageScreen(page);
      return sameScreen(last, creator.rows());
    }, timeout);
  } catch (e) {
    throw new Error(`${e.message}\n--- page:\n${last.join('\n')}\n--- creator:\n${creator.text()}`);
  }
}

test('web viewer with a real SSH creator', { timeout: 600000 }, async (t) => {
  const stack = new Stack('viewer');
  let browser;
  const secrets = [];
  const run = scenario(t);
  const { step } = run;

  try {
    await stack.setUp({ alice: {}, bob: {}, carol: {}, dave: {}, mallory: { grant: false } });
    secrets.push(...Object.values(stack.passwords));
    browser = await launchBrowser();
    const bobContext = await newContext(browser);
    const bob = await bobContext.newPage();
    const consoleErrors = [];
    bob.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    bob.on('pageerror', (e) => consoleErrors.push(String(e)));
    // Expected refusals (401 before logging in) are fine; anything else failing is not.
    bob.on('response', (r) => {
      if (r.status() >= 400 && r.status() !== 401) consoleErrors.push(`HTTP ${r.status()} for ${new URL(r.url()).pathname}`);
    });

    let alice;
    let invite;
    const marker = path.join(stack.work, 'typed-in-the-browser');
    const notControlling = path.join(stack.work, 'typed-while-watching');

    await step('the creator shares a full screen over SSH', async () => {
      alice = await stack.creator('alice');
      alice.type("clear; seq -f 'row %g of the creator screen' 1 20");
      await alice.waitFor('the rows', (rows) => rows.some((r) => r.includes('row 20 of the creator screen')));
      invite = await alice.share();
      secrets.push(invite.token);
      assert.equal(invite.url, `${stack.baseUrl}/join#${invite.token}`);
    });

    await step('opening the URL anonymously asks to log in, then comes back to the invitation', async () => {
      await bob.goto(invite.url);
      await bob.waitForURL(/\/login\?next=/);
      assert.ok(!bob.url().includes(invite.token), `the login page keeps the token in the address bar: ${bob.url()}`);
      await logIn(bob, 'bob', 'not-the-password');
      await visible(bob, '#login-error', 'the wrong-password message');
      const shot = artifact('login-refused.png');
      await bob.screenshot({ path: shot, fullPage: true });
      console.log(`[ artifact ] login page after a wrong password: ${shot}`);
      assert.match(await text(bob, '#login-error'), /\(code: T_203\): Wrong user name or password/);
      await logIn(bob, 'bob', stack.passwords.bob);
      await bob.waitForURL(/\/join/);
      await visible(bob, '#invitation', 'the invitation');
      assert.ok(!bob.url().includes('#'), `the token stays in the address bar: ${bob.url()}`);
      const cookies = await bobContext.cookies();
      secrets.push(...cookies.map((c) => c.value));
    });

    await step('the invitation shows the creator, account@host, expiry with a countdown, who is in', async () => {
      assert.equal(await text(bob, '#inv-creator'), 'alice');
      assert.equal(await text(bob, '#inv-account'), stack.account);
      assert.match(await text(bob, '#inv-countdown'), /^\(in (29|30) min \d\d s\)$/);
      const expires = await text(bob, '#inv-expires');
      assert.ok(expires.length > 0, 'no expiry shown');
      const before = await text(bob, '#inv-countdown');
      await until('the countdown to tick', async () => (await text(bob, '#inv-countdown')) !== before, 5000);
      assert.match(await text(bob, '#inv-people'), /alice\s*\(creator\)\s*controls/);
      assert.equal(await bob.getByRole('button', { name: 'Enter' }).isEnabled(), true);
      const shot = artifact('invitation.png');
      await bob.screenshot({ path: shot, fullPage: true });
      console.log(`[ artifact ] invitation page: ${shot}`);
    });

    await step('Enter shows the creator\'s screen at the session\'s size (timed)', async () => {
      const expected = alice.rows();
      const t0 = Date.now();
      await bob.getByRole('button', { name: 'Enter' }).click();
      let shown = [];
      await until('the first full screen', async () => {
        shown = await pageScreen(bob);
        return sameScreen(shown, expected);
      }, HOLD, 10).catch((e) => { throw new Error(`${e.message}\n--- page:\n${shown.join('\n')}\n--- creator:\n${expected.join('\n')}`); });
      const observed = Date.now() - t0;
      const timing = await bob.evaluate(() => window.tandemSession.timing);
      console.log(`[ measure  ] Enter -> first full screen: ${observed} ms observed by the test ` +
        `(page: welcome after ${Math.round(timing.welcomeAt - timing.enteredAt)} ms, ` +
        `snapshot drawn after ${Math.round(timing.firstScreenAt - timing.enteredAt)} ms)`);
      assert.deepEqual(await bob.evaluate(() => window.tandemSession.size), [80, 24]);
      await alice.waitFor('"bob joined" on the creator\'s screen', (rows) => rows.some((r) => r.includes('bob joined')));
      // Once the creator's notice is gone, both screens are the same, row for row.
      await screensMatch(bob, alice);
      assert.match(await text(bob, '#ses-people'), /alice\s*\(creator\)\s*controls/);
      assert.match(await text(bob, '#ses-people'), /bob\s*\(web from 127\.0\.0\.1\)/);
      assert.equal(await text(bob, '#ses-controller'), 'alice');
      assert.equal(await bob.getByRole('button', { name: 'Release control' }).isVisible(), false);
      const shot = artifact('session-view.png');
      await bob.screenshot({ path: shot, fullPage: true });
      console.log(`[ artifact ] session view: ${shot}`);
    });

    await step('a narrow window scales the terminal, never resizes it', async () => {
      await bob.setViewportSize({ width: 620, height: 800 });
      const fit = await until('the terminal to fit the narrow window', () => bob.evaluate(() => {
        const frame = document.getElementById('terminal-frame');
        const screen = frame.querySelector('.xterm-screen');
        const fits = screen.offsetWidth <= frame.parentElement.clientWidth;
        return fits || frame.scrollWidth > frame.clientWidth ? { width: screen.offsetWidth, fits } : null;
      }), 5000);
      assert.ok(fit.fits, 'the terminal neither fits nor scrolls');
      assert.deepEqual(await bob.evaluate(() => window.tandemSession.size), [80, 24]);
      await bob.setViewportSize({ width: 1400, height: 900 });
      await screensMatch(bob, alice);
      assert.ok(!alice.text().includes('[tandem]'), 'the creator was disturbed');
    });

    await step('live output reaches the page', async () => {
      alice.type('echo live-output-$((6*7))');
      await alice.waitFor('the echo', (rows) => rows.includes('live-output-42'));
      await screensMatch(bob, alice);
    });

    await step('keystrokes while watching do not reach the host', async () => {
      await bob.locator('#terminal').click();
      await bob.keyboard.type(`touch ${notControlling}`);
      await bob.keyboard.press('Enter');
      // Something the creator types afterwards shows on the page: anything sent before it
      // would have reached the host by then.
      alice.type('echo after-watching');
      await alice.waitFor('the echo', (rows) => rows.includes('after-watching'));
      await screensMatch(bob, alice);
      assert.equal(fs.existsSync(notControlling), false, 'a watcher\'s keystrokes reached the host');
      assert.ok(!alice.text().includes('typed-while-watching'), 'a watcher\'s keystrokes reached the shell');
    });

    await step('Apply for control, the creator agrees, typing in the browser reaches the host, Release', async () => {
      await bob.getByRole('button', { name: 'Apply for control' }).click();
      await pageShows(bob, 'waiting for an answer');
      await alice.waitFor('the request on the creator\'s screen', (rows) => rows.some((r) => r.includes('bob applies for control')));
      await alice.escape('agree');
      await alice.closePrompt();
      await visible(bob, '#release', 'Release control');
      assert.equal(await bob.getByRole('button', { name: 'Apply for control' }).isVisible(), false);
      assert.match(await text(bob, '#ses-status'), /You control the session/);
      await bob.locator('#terminal').click();
      await bob.keyboard.type(`touch ${marker}`);
      await bob.keyboard.press('Enter');
      await until('the marker file typed in the browser', () => fs.existsSync(marker), HOLD);
      await bob.getByRole('button', { name: 'Release control' }).click();
      await visible(bob, '#apply', 'Apply for control after releasing');
      assert.equal(await bob.getByRole('button', { name: 'Release control' }).isVisible(), false);
      await pageShows(bob, 'bob released control');
      assert.equal(await text(bob, '#ses-controller'), 'alice');
    });

    await step('a refused request is shown', async () => {
      await bob.getByRole('button', { name: 'Apply for control' }).click();
      await alice.waitFor('the request on the creator\'s screen', (rows) => rows.some((r) => r.includes('bob applies for control')));
      await alice.escape('refuse');
      await alice.closePrompt();
      await until('the refusal', async () => /refused/.test(await text(bob, '#ses-status')), HOLD);
      assert.match(await text(bob, '#ses-status'), /Your request for control was refused/);
      assert.match(await text(bob, '#notices'), /alice refused the request for control/);
      assert.equal(await bob.getByRole('button', { name: 'Apply for control' }).isEnabled(), true);
    });

    await step('Exit session, then Enter again with the same invitation', async () => {
      await bob.getByRole('button', { name: 'Exit session' }).click();
      await visible(bob, '#invitation', 'the invitation after leaving');
      await pageShows(bob, 'You left the session');
      await alice.waitFor('"bob left" on the creator\'s screen', (rows) => rows.some((r) => r.includes('bob left')));
      alice.type('echo while-bob-was-away');
      await alice.waitFor('the echo', (rows) => rows.includes('while-bob-was-away'));
      await bob.getByRole('button', { name: 'Enter' }).click();
      await visible(bob, '#session', 'the session view again');
      await screensMatch(bob, alice);
    });

    await step('a user without the grant is refused on the invitation page', async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.goto(invite.url);
      await page.waitForURL(/\/login/);
      await logIn(page, 'mallory', stack.passwords.mallory);
      await visible(page, '#problem', 'the refusal');
      assert.match(await text(page, '#problem-text'), /\(code: T_302\)/);
      assert.equal(await page.getByRole('button', { name: 'Enter' }).isVisible(), false);
      secrets.push(...(await context.cookies()).map((c) => c.value));
      await context.close();
    });

    await step('an invitation that expires while open says so', async () => {
      // Long enough for the page to open on a busy machine, short enough to watch it expire.
      const short = await alice.share('8s');
      secrets.push(short.token);
      const page = await bobContext.newPage();
      await page.goto(short.url);
      await visible(page, '#invitation', 'the short invitation');
      assert.match(await text(page, '#inv-countdown'), /^\(in \d s\)$/);
      await visible(page, '#problem', 'the expiry', 20000);
      assert.match(await text(page, '#problem-text'), /\(code: T_703\): This invitation has expired/);
      await page.close();
    });

    let carol;
    let dave;
    await step('two browsers and an SSH invitee at once', async () => {
      const carolContext = await newContext(browser);
      carol = await carolContext.newPage();
      await carol.goto(invite.url);
      await carol.waitForURL(/\/login/);
      await logIn(carol, 'carol', stack.passwords.carol);
      await visible(carol, '#invitation', 'carol\'s invitation');
      await carol.getByRole('button', { name: 'Enter' }).click();
      dave = stack.joiner('dave', invite.token);
      await until('everyone to be in', async () => /dave/.test(await text(bob, '#ses-people')) && /carol/.test(await text(bob, '#ses-people')), HOLD);
      alice.type('echo three-at-once');
      await alice.waitFor('the echo', (rows) => rows.includes('three-at-once'));
      await screensMatch(bob, alice);
      await screensMatch(carol, alice);
      await dave.waitFor('the echo on the SSH invitee\'s screen', (rows) => rows.includes('three-at-once'));
      await until('the SSH invitee\'s screen to equal the creator\'s',
        () => sameScreen(dave.rows(), alice.rows()), HOLD)
        .catch((e) => { throw new Error(`${e.message}\n--- dave:\n${dave.text()}\n--- alice:\n${alice.text()}`); });
      for (const page of [bob, carol]) {
        const people = await text(page, '#ses-people');
        for (const who of ['alice', 'bob', 'carol', 'dave']) assert.match(people, new RegExp(who));
      }
      secrets.push(...(await carolContext.cookies()).map((c) => c.value));
      const shot = artifact('session-three-viewers.png');
      await carol.screenshot({ path: shot, fullPage: true });
      console.log(`[ artifact ] session view with two browsers and an SSH invitee: ${shot}`);
    });

    await step('the creator\'s unshare ends the share for everyone; the URL no longer works', async () => {
      await alice.escape('unshare');
      await alice.closePrompt();
      for (const page of [bob, carol]) {
        await visible(page, '#problem', 'the end of the share');
        assert.equal(await text(page, '#problem-title'), 'The share has ended');
        assert.equal(await text(page, '#problem-reason'), 'The creator cancelled sharing.');
        assert.match(await text(page, '#problem-text'), /\(code: T_704\)/);
        assert.equal(await page.getByRole('button', { name: 'Enter' }).isVisible(), false);
      }
      const shot = artifact('share-ended.png');
      await bob.screenshot({ path: shot, fullPage: true });
      console.log(`[ artifact ] share ended: ${shot}`);
      await dave.waitFor('the SSH invitee told', (rows) => rows.some((r) => r.includes('(code: T_704)')));
      await bob.goto('about:blank'); // a fresh page, not the one that already shows the end
      await bob.goto(invite.url);
      await visible(bob, '#problem', 'the refusal of the old URL');
      assert.match(await text(bob, '#problem-text'), /\(code: T_704\)/);
      assert.equal(await bob.getByRole('button', { name: 'Enter' }).isVisible(), false);
    });

    await step('the pages ran without script errors (CSP included)', async () => {
      assert.deepEqual(consoleErrors.filter((e) => !/status of 401|Unauthorized/.test(e)), []);
    });

    await step('no token, password or cookie appears in any log file', async () => {
      const files = stack.logFiles();
      assert.ok(files.length > 0, 'no log files found');
      assert.deepEqual(stack.filesContaining(secrets), []);
      console.log(`[ logs     ] ${secrets.length} secrets absent from ${files.length} log files`);
    }, true);
  } catch (e) {
    run.healthy = false;
    throw e;
  } finally {
    if (!run.healthy) console.log(stack.diagnostics());
    if (browser) await browser.close();
    await stack.close({ keep: !run.healthy && !!process.env.TANDEM_KEEP });
  }
});
