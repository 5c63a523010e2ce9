// Live sessions and Recordings (docs/web.md): an admin (dave) and an auditor (erin) on the web
// face; alice shares her SSH session with bob in a browser and hands him control. The Host Ops
// header links the pages for operators only; dave watches read-only (announced to alice), erin
// sees no Terminate; dave's Terminate ends it for alice (SSH), bob and his own watch with T_320
// and the reason. Then Recordings > Play replays it with the control and typist markers on the
// timeline, clickable, with Pause.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const {
  Stack, scenario, until, launchBrowser, newContext, logIn, artifact, pageShows, visible,
} = require('./fixture');

const HOLD = 30000;
const REASON = 'change freeze until 18:00';

async function shot(page, name, what) {
  const file = artifact(name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`[ artifact ] ${what}: ${file}`);
}

async function loggedIn(browser, stack, user, where) {
  const page = await (await newContext(browser)).newPage();
  await page.goto(stack.baseUrl + where);
  await page.waitForURL(/\/login/);
  await logIn(page, user, stack.passwords[user]);
  await page.waitForURL(new RegExp(where.replace(/[/]/g, '\\/') + '$'));
  return page;
}

test('Live sessions > Watch > Terminate, then Recordings > Play with the markers', { timeout: 600000 }, async (t) => {
  const stack = new Stack('operator');
  let browser;
  const run = scenario(t);
  const { step } = run;
  try {
    await stack.setUp({ alice: {}, bob: {}, dave: { grant: false }, erin: { grant: false } });
    stack.admin(['user', 'set', 'dave', '--admin']);
    stack.admin(['user', 'set', 'erin', '--auditor']);
    browser = await launchBrowser();
    let alice;
    let bob;
    let dave;
    let erin;

    await step('alice shares over SSH; bob enters in the browser, gets control, types, releases', async () => {
      alice = await stack.creator('alice');
      alice.type("clear; echo 'alice was here'");
      const invite = await alice.share();
      bob = await (await newContext(browser)).newPage();
      await bob.goto(invite.url);
      await bob.waitForURL(/\/login/);
      await logIn(bob, 'bob', stack.passwords.bob);
      await visible(bob, '#invitation', 'the invitation');
      await bob.getByRole('button', { name: 'Enter' }).click();
      await bob.getByRole('button', { name: 'Apply for control' }).click();
      await alice.waitFor('the request', (rows) => rows.some((r) => r.includes('bob applies for control')));
      await alice.escape('agree');
      await alice.closePrompt();
      await visible(bob, '#release', 'Release control');
      await bob.locator('#terminal').click();
      await bob.keyboard.type('echo typed-by-bob');
      await bob.keyboard.press('Enter');
      await alice.waitFor('bob\'s line', (rows) => rows.some((r) => r.startsWith('typed-by-bob')));
      await bob.getByRole('button', { name: 'Release control' }).click();
      await pageShows(bob, 'bob released control');
    });

    await step('the Host Ops header links Live sessions and Recordings for operators only', async () => {
      // bob (a plain user) in a second tab, so his session page stays in the share.
      const bobHosts = await bob.context().newPage();
      await bobHosts.goto(stack.baseUrl + '/hosts');
      await until('bob\'s name in the header', async () => (await bobHosts.locator('#whoami').innerText()).includes('bob'), HOLD);
      assert.equal(await bobHosts.getByRole('link', { name: 'Live sessions' }).isVisible(), false);
      const refused = await bobHosts.request.get(stack.baseUrl + '/api/live');
      assert.equal(refused.status(), 403);
      assert.equal((await refused.json()).code, 'T_230');
      dave = await loggedIn(browser, stack, 'dave', '/hosts');
      await dave.getByRole('link', { name: 'Live sessions' }).waitFor({ state: 'visible', timeout: HOLD });
      assert.equal(await dave.getByRole('link', { name: 'Recordings' }).isVisible(), true);
    });

    await step('Live sessions lists alice\'s session; Watch shows it read-only, announced', async () => {
      await dave.getByRole('link', { name: 'Live sessions' }).click();
      await dave.waitForURL(/\/live$/);
      const row = dave.locator('tr', { hasText: stack.account });
      await row.waitFor({ state: 'visible', timeout: HOLD });
      assert.match(await row.innerText(), /alice[\s\S]*ssh[\s\S]*yes[\s\S]*bob \(web\)/);
      await until('Watch to be offered', () => row.getByRole('button', { name: 'Watch' }).isEnabled(), HOLD);
      await row.getByRole('button', { name: 'Watch' }).click();
      await until('the watched screen', async () => (await dave.evaluate(() => (window.tandemWatch ? window.tandemWatch.screen() : [])))
        .some((r) => r.includes('typed-by-bob')), HOLD);
      await alice.waitFor('the announcement', (rows) => rows.some((r) => r.includes('An auditor (dave) is watching this session.')));
      // Keys typed into the watch never reach the session.
      await dave.locator('#watch-terminal').click();
      await dave.keyboard.type('echo typed-by-the-watcher');
      await dave.keyboard.press('Enter');
      await dave.waitForTimeout(1000);
      assert.ok(!alice.text().includes('typed-by-the-watcher'), 'a watcher\'s keys reached the session');
      await shot(dave, 'live-sessions-watch.png', 'Live sessions with a watch open');
    });

    await step('an auditor gets Watch but no Terminate', async () => {
      erin = await loggedIn(browser, stack, 'erin', '/live');
      const row = erin.locator('tr', { hasText: stack.account });
      await row.waitFor({ state: 'visible', timeout: HOLD });
      assert.equal(await row.getByRole('button', { name: 'Watch' }).count(), 1);
      assert.equal(await row.getByRole('button', { name: 'Terminate' }).count(), 0);
      const refused = await erin.request.post(stack.baseUrl + '/api/live/terminate', {
        headers: { Origin: stack.baseUrl }, data: { session: await row.getAttribute('data-session'), reason: 'no' },
      });
      assert.equal(refused.status(), 403);
      assert.equal((await refused.json()).code, 'T_231');
    });

    await step('Terminate with a reason ends it for alice, bob and the watch with T_320', async () => {
      const row = dave.locator('tr', { hasText: stack.account });
      await row.getByRole('button', { name: 'Terminate' }).click();
      await dave.locator('#terminate-reason').fill(REASON);
      await dave.locator('#terminate-form').getByRole('button', { name: 'Terminate' }).click();
      await alice.waitFor('T_320 on alice\'s screen', (rows) => rows.join('\n').includes('T_320'), HOLD);
      assert.ok(alice.text().replace(/\s+/g, ' ').includes(`Reason: ${REASON}`), alice.text());
      await pageShows(dave, 'T_320');
      assert.match(await dave.locator('#watch-ended').innerText(), new RegExp(`Reason: ${REASON}`));
      await pageShows(bob, 'T_320');
      await shot(dave, 'live-sessions-terminated.png', 'the watch after Terminate');
    });

    await step('Recordings > Play replays it with the control and typist markers, clickable, with Pause', async () => {
      await dave.goto(stack.baseUrl + '/recordings');
      const row = dave.locator('tr', { hasText: stack.account }).first();
      await row.waitFor({ state: 'visible', timeout: HOLD });
      assert.match(await row.innerText(), /T_320/);
      await row.getByRole('button', { name: 'Play' }).click();
      await visible(dave, '#player', 'the player');
      const player = dave.locator('#player');
      await player.getByRole('button', { name: 'Pause' }).click();
      assert.equal(await dave.locator('#player-toggle').innerText(), 'Play');
      const list = dave.locator('#marker-list');
      await until('the markers', async () => (await list.innerText()).includes('input: bob'), HOLD);
      const markers = await list.innerText();
      assert.match(markers, /control: /);
      assert.match(markers, /end: T_320/);
      assert.ok((await dave.locator('#markers .marker.control').count()) >= 1, 'no control marker on the timeline');
      await list.getByRole('button', { name: 'input: bob' }).first().click();
      await until('the replay at bob\'s typing', async () => (await dave.evaluate(() => window.tandemPlayer.screen()))
        .some((r) => r.includes('alice was here')), HOLD);
      await player.getByRole('button', { name: 'Play', exact: true }).click();
      await until('the replay to reach bob\'s line', async () => (await dave.evaluate(() => window.tandemPlayer.screen()))
        .some((r) => r.startsWith('typed-by-bob')), HOLD);
      await shot(dave, 'recordings-player.png', 'Recordings > Play with markers');
    });
  } catch (e) {
    console.log(stack.diagnostics());
    throw e;
  } finally {
    if (browser) await browser.close();
    await stack.close({ keep: !run.healthy });
  }
});
