// Every way a share can end for a browser invitee, each with its own reason on the page and
// nothing offered to rejoin: the grant revoked (T_708), the host's shell exited (session ended),
// the creator's ssh gone (creator left), the managed host frozen (T_514).
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Stack, launchBrowser, newContext, logIn, artifact, pageScreen, sameScreen, until } = require('./fixture');

const HOLD = 30000;

test('how a share ends, as the browser invitee sees it', { timeout: 600000 }, async (t) => {
  const stack = new Stack('endings');
  let browser;
  let healthy = true;
  const secrets = [];
  try {
    // A short keepalive window, so a frozen host is noticed within seconds (T_514).
    await stack.setUp({ alice: {}, bob: {} }, {
      sshdOverrides: ['--target.keepalive_interval=1s', '--target.keepalive_count=3'],
    });
    secrets.push(...Object.values(stack.passwords));
    browser = await launchBrowser();
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/login`);
    await logIn(page, 'bob', stack.passwords.bob);
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    secrets.push(...(await context.cookies()).map((c) => c.value));

    // alice shares a new session; bob enters it from the invitation page.
    const enterNewShare = async () => {
      const alice = await stack.creator('alice');
      const invite = await alice.share();
      secrets.push(invite.token);
      await page.goto('about:blank'); // each invite on a fresh page
      await page.goto(invite.url);
      await page.getByRole('button', { name: 'Enter' }).click();
      await until('the session view with the creator\'s screen', async () =>
        sameScreen(await pageScreen(page), alice.rows()), HOLD);
      return { alice, invite };
    };

    const endsWith = async (name, reason, code) => {
      await page.locator('#problem').waitFor({ state: 'visible', timeout: HOLD });
      assert.equal((await page.locator('#problem-title').innerText()).trim(), 'The share has ended');
      assert.equal((await page.locator('#problem-reason').innerText()).trim(), reason);
      if (code) assert.match(await page.locator('#problem-text').innerText(), new RegExp(`\\(code: ${code}\\)`));
      assert.equal(await page.getByRole('button', { name: 'Enter' }).isVisible(), false);
      assert.equal(await page.getByRole('button', { name: 'Apply for control' }).isVisible(), false);
      const shot = artifact(`share-ended-${name}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`[ artifact ] ${reason} ${shot}`);
    };

    const step = (name, fn) => t.test(name, { skip: !healthy && 'an earlier step failed' }, async () => {
      try {
        await fn();
      } catch (e) {
        healthy = false;
        throw e;
      }
    });

    await step('revoking the grant removes the invitee (T_708)', async () => {
      await enterNewShare();
      stack.admin(['revoke', 'bob', stack.account]);
      await endsWith('revoked', 'Your grant on this account was revoked.', 'T_708');
      stack.admin(['grant', 'bob', stack.account]);
    });

    await step('the host\'s shell exiting ends the session', async () => {
      const { alice } = await enterNewShare();
      alice.type('exit');
      await endsWith('shell-exit', 'The session ended: the shell on the host exited.', 'T_705');
    });

    await step('the creator\'s ssh going away ends the share', async () => {
      const { alice, invite } = await enterNewShare();
      alice.kill();
      await endsWith('creator-left', 'The creator left the session.', 'T_705');
      await page.goto('about:blank');
      await page.goto(invite.url);
      await page.locator('#problem').waitFor({ state: 'visible', timeout: HOLD });
      assert.match(await page.locator('#problem-text').innerText(), /\(code: T_70[45]\)/);
    });

    await step('a managed host that stops answering ends it with T_514', async () => {
      await enterNewShare();
      stack.hostSignal('freeze');
      try {
        await endsWith('host-unresponsive', 'The managed host stopped responding, so the session was disconnected.', 'T_514');
      } finally {
        stack.hostSignal('thaw');
      }
    });

    await t.test('no token, password or cookie appears in any log file', () => {
      assert.deepEqual(stack.filesContaining(secrets), []);
    });
  } catch (e) {
    healthy = false;
    throw e;
  } finally {
    if (!healthy) console.log(stack.diagnostics());
    if (browser) await browser.close();
    await stack.close({ keep: !healthy && !!process.env.TANDEM_KEEP });
  }
});
