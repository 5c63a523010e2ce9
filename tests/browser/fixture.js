// The whole stack for browser tests, the way an operator sets it up: a fresh instance
// (`tandem-admin init --dir`), a managed host (scripts/managed-host.sh: a real sshd on loopback),
// users with SSH keys and web passwords, a grant, tandem-sshd and tandem-broker on random free
// loopback ports, and real OpenSSH clients in tmux for the creator and SSH invitees.
// Everything started here is stopped by close(); nothing listens beyond 127.0.0.1.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { TmuxClient } = require('./tmux_client');

const BIN = process.env.TANDEM_BIN_DIR;
const SOURCE = process.env.TANDEM_SOURCE_DIR;
const ASSETS = process.env.TANDEM_WEBVIEW_DIR;
const ARTIFACTS = process.env.TANDEM_ARTIFACTS_DIR || path.join(os.tmpdir(), 'tandem-artifacts');
const CHROMIUM = process.env.TANDEM_CHROMIUM || '/usr/bin/chromium';
for (const [name, value] of Object.entries({ TANDEM_BIN_DIR: BIN, TANDEM_SOURCE_DIR: SOURCE, TANDEM_WEBVIEW_DIR: ASSETS })) {
  if (!value) throw new Error(`${name} is not set (run the browser tests through ctest)`);
}

const { sleep, until } = require('./polling');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function run(argv, { input, allowFailure = false } = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { input, encoding: 'utf8', timeout: 60000 });
  if (!allowFailure && r.status !== 0) {
    throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr || r.stdout}`);
  }
  return r;
}

// Every process below pid (children first-found), from /proc.
function descendants(pid) {
  const children = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  const found = [];
  const walk = (p) => {
    for (const c of children.get(p) || []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// SIGTERM, a grace period, then SIGKILL for it and whatever it had spawned.
async function stopTree(child, graceMs = 5000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const tree = descendants(child.pid);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(graceMs)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// A daemon whose stdout/stderr go to files in the instance (so the log grep sees them too).
function daemon(argv, dir, name) {
  const out = fs.openSync(path.join(dir, `${name}.out`), 'a');
  const err = fs.openSync(path.join(dir, `${name}.err`), 'a');
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', out, err] });
  fs.closeSync(out);
  fs.closeSync(err);
  return child;
}

async function awaitLine(file, pattern, child, what) {
  return until(what, () => {
    if (child.exitCode !== null) {
      throw new Error(`${what}: exited with ${child.exitCode}:\n${tail(file)}\n${tail(file.replace(/\.out$/, '.err'))}`);
    }
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    return pattern.exec(text);
  }, 30000);
}

function tail(file, bytes = 3000) {
  if (!fs.existsSync(file)) return `(no ${file})`;
  const text = fs.readFileSync(file, 'utf8');
  return text.slice(-bytes);
}

class Stack {
  constructor(name) {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), `tandem-browser-${name}-`));
    this.dir = path.join(this.root, 'bastion');
    this.hostDir = path.join(this.root, 'host');
    this.clientDir = path.join(this.root, 'clients'); // tmux recordings: not the instance's logs
    this.work = path.join(this.root, 'work'); // where tests make marker files on the host
    fs.mkdirSync(this.clientDir);
    fs.mkdirSync(this.work);
    this.keys = {};
    this.passwords = {};
    this.screens = [];
    this.children = [];
    this.login = os.userInfo().username;
  }

  admin(args, input) {
    return run([path.join(BIN, 'tandem-admin'), '--config', path.join(this.dir, 'tandem.conf'), ...args], { input });
  }

  // init, the host, the account, the users (each with a key and a web password), their grants.
  // sshdOverrides: --section.key=value for tandem-sshd (it hands them to tandem-shell).
  // brokerOverrides: the same for tandem-broker (and the tandem-shell of web O&M sessions).
  async setUp(users, { sshdOverrides = [], brokerOverrides = [] } = {}) {
    run([path.join(BIN, 'tandem-admin'), 'init', '--dir', this.dir]);
    fs.mkdirSync(path.join(this.dir, 'keys'), { mode: 0o700 });
    let started = null;
    for (let attempt = 0; attempt < 3 && !started; attempt++) {
      started = run(['bash', path.join(SOURCE, 'scripts/managed-host.sh'), 'start', this.hostDir], { allowFailure: true });
      if (started.status !== 0) started = null;
    }
    if (!started) throw new Error('the managed host did not start:\n' + tail(path.join(this.hostDir, 'sshd.log')));
    this.hostPort = Number(started.stdout.trim());
    this.admin(['host', 'add', 'web01', '127.0.0.1', '--port', String(this.hostPort), '--host-key',
      path.join(this.hostDir, 'ssh_host_ed25519_key.pub')]);
    this.account = `${this.login}@web01`;
    this.admin(['account', 'add', this.account, '--key', path.join(this.hostDir, 'account_key')]);
    for (const [user, { grant = true } = {}] of Object.entries(users)) {
      const key = path.join(this.dir, 'keys', user);
      run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', user, '-f', key]);
      const password = `pw-${user}-${Math.random().toString(36).slice(2)}`;
      this.admin(['user', 'add', user, '--key', key + '.pub', '--password-stdin'], password + '\n');
      this.keys[user] = key;
      this.passwords[user] = password;
      if (grant) this.admin(['grant', user, this.account]);
    }
    await this.startSshd(sshdOverrides);
    await this.startBroker(brokerOverrides);
  }

  async startSshd(overrides) {
    const child = daemon([path.join(BIN, 'tandem-sshd'), '--config', path.join(this.dir, 'tandem.conf'),
      '--ssh.listen=127.0.0.1:0', ...overrides], this.dir, 'tandem-sshd');
    this.children.push(child);
    const m = await awaitLine(path.join(this.dir, 'tandem-sshd.out'), /tandem-sshd listening on 127\.0\.0\.1:(\d+)/, child, 'tandem-sshd');
    this.sshPort = Number(m[1]);
  }

  async startBroker(overrides = []) {
    for (let attempt = 0; attempt < 3; attempt++) {
      this.webPort = await freePort();
      this.baseUrl = `https://127.0.0.1:${this.webPort}`;
      const child = daemon([path.join(BIN, 'tandem-broker'), '--config', path.join(this.dir, 'tandem.conf'),
        `--web.listen=127.0.0.1:${this.webPort}`, `--web.public_url=${this.baseUrl}`, `--web.assets=${ASSETS}`,
        // Where invitees ssh to: the Invite friends panel prints the join line with it.
        `--ssh.public_address=127.0.0.1:${this.sshPort}`, ...overrides],
      this.dir, 'tandem-broker');
      try {
        await awaitLine(path.join(this.dir, 'tandem-broker.out'), /tandem-broker listening on /, child, 'tandem-broker');
        // The socket line may come before the web listener is bound: wait for it to answer.
        await until('the broker web port', () => new Promise((resolve) => {
          const s = net.connect(this.webPort, '127.0.0.1', () => { s.destroy(); resolve(true); });
          s.on('error', () => resolve(false));
        }), 10000);
        this.broker = child;
        this.children.push(child);
        return;
      } catch (e) {
        await stopTree(child, 1000);
        if (attempt === 2) throw e; // another process may have taken the port: try another
      }
    }
  }

  // A real OpenSSH client in tmux with `user`'s key, logged in as `login` (the user, or "join"
  // for an invitee), running `command` (an account, or the invite token).
  screen(user, command, cols = 80, rows = 24, login = user) {
    const screen = new TmuxClient(this, user, login, command, cols, rows);
    this.screens.push(screen);
    return screen;
  }

  // An invitee over SSH: `ssh -p PORT join@127.0.0.1 TOKEN` with the user's own key.
  joiner(user, token, cols = 80, rows = 24) {
    return this.screen(user, token, cols, rows, 'join');
  }

  // The creator: alice's session on the managed host, at its shell prompt.
  async creator(user, cols = 80, rows = 24) {
    const screen = this.screen(user, this.account, cols, rows);
    await screen.waitFor('the host shell prompt', (rows) => rows.some((r) => /[#$]\s*$/.test(r)), 60000);
    return screen;
  }

  // Every log file of the instance and the host: which of them contain any of `secrets`.
  filesContaining(secrets) {
    const hits = [];
    const walk = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (/\.(log|out|err)$/.test(entry.name) || entry.name.startsWith('tandem.log')) {
          const text = fs.readFileSync(p, 'latin1');
          for (const s of secrets) if (s && text.includes(s)) hits.push(p);
        }
      }
    };
    walk(this.dir);
    walk(this.hostDir);
    return [...new Set(hits)];
  }

  logFiles() {
    const files = [];
    const walk = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (/\.(log|out|err)$/.test(entry.name)) files.push(p);
      }
    };
    walk(this.dir);
    walk(this.hostDir);
    return files;
  }

  diagnostics() {
    return ['tandem-broker.out', 'tandem-broker.err', 'tandem-sshd.err', 'tandem.log']
      .map((f) => `--- ${f}:\n${tail(path.join(this.dir, f))}`).join('\n');
  }

  // SIGSTOP/SIGCONT the managed host's whole sshd tree: it stops answering, TCP stays up.
  hostSignal(verb) {
    run(['bash', path.join(SOURCE, 'scripts/managed-host.sh'), verb, this.hostDir]);
  }

  async close({ keep = false } = {}) {
    for (const s of this.screens) s.kill();
    for (const child of this.children.reverse()) await stopTree(child);
    run(['bash', path.join(SOURCE, 'scripts/managed-host.sh'), 'stop', this.hostDir], { allowFailure: true });
    if (!keep) fs.rmSync(this.root, { recursive: true, force: true });
  }
}

// Headless Debian Chromium (never a downloaded browser); the instance's certificate is
// self-signed, so HTTPS errors are ignored.
async function launchBrowser() {
  const { chromium } = require('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

async function newContext(browser) {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
}

// Fills the login form as a person does and waits for the page it leads to.
async function logIn(page, user, password) {
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

function artifact(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

// What xterm shows in the page, as rows (window.tandemSession is the page's view for tests).
function pageScreen(page) {
  return page.evaluate(() => (window.tandemSession ? window.tandemSession.screen() : []));
}

// Rows equal once trailing empty rows are ignored on both sides.
function sameScreen(a, b) {
  const norm = (rows) => {
    const r = rows.map((x) => x.trimEnd());
    while (r.length && r[r.length - 1] === '') r.pop();
    return r.join('\n');
  };
  return norm(a) === norm(b);
}

// Waits for an element to show; on timeout, says what the page shows instead.
async function visible(page, selector, what, timeout = 30000) {
  await page.locator(selector).waitFor({ state: 'visible', timeout }).catch(async () => {
    throw new Error(`${what} did not show; the page says:\n${await page.locator('main').innerText()}`);
  });
}

// Waits until the page's text contains needle.
async function pageShows(page, needle, timeout = 30000) {
  await until(`the page to show "${needle}"`, async () => (await page.locator('body').innerText()).includes(needle), timeout)
    .catch(async (e) => { throw new Error(`${e.message}; it shows:\n${await page.locator('main').innerText()}`); });
}

// The steps of one scenario, as subtests of t: a step runs only while every step before it
// passed, unless it is `always` (checks that stay meaningful whatever happened before, like the
// log grep). `healthy` says whether all steps so far passed.
function scenario(t) {
  const run = { healthy: true };
  run.step = (name, fn, always = false) => t.test(name, { skip: !run.healthy && !always && 'an earlier step failed' }, async () => {
    try {
      await fn();
    } catch (e) {
      run.healthy = false;
      throw e;
    }
  });
  return run;
}

module.exports = {
  Stack, TmuxClient, until, sleep, launchBrowser, newContext, logIn, artifact, pageScreen, sameScreen, alive,
  visible, pageShows, scenario,
};
