// A real OpenSSH client on a real screen: ssh in its own tmux server, driven with send-keys
// and read with capture-pane; its output is also recorded (pipe-pane) so long lines such as an
// invite URL can be read whole.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { until } = require('./polling');

let tmuxCounter = 0;

class TmuxClient {
  constructor(stack, user, login, command, cols, rows) {
    this.socket = `tandem-bt-${process.pid}-${tmuxCounter++}`;
    this.record = path.join(stack.clientDir, `${this.socket}.out`);
    const ssh = ['ssh', '-tt', '-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
      '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', 'ConnectTimeout=30', '-o', 'LogLevel=ERROR',
      '-p', String(stack.sshPort), '-i', stack.keys[user], `${login}@127.0.0.1`, command];
    const quoted = ssh.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    this.tmux(['new-session', '-d', '-x', String(cols), '-y', String(rows), '-s', 'it', `env -u SSH_AUTH_SOCK ${quoted}`,
      ';', 'set-option', '-t', 'it', 'remain-on-exit', 'on',
      ';', 'set-option', '-t', 'it', 'status', 'off',
      ';', 'pipe-pane', '-t', 'it', `cat >> '${this.record}'`]);
  }

  tmux(args) {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 20000 });
  }

  // The screen as rows of text, trailing blanks trimmed (as xterm's translateToString(true)).
  rows() {
    return this.tmux(['capture-pane', '-p', '-t', 'it']).split('\n').slice(0, -1).map((r) => r.trimEnd());
  }

  text() {
    return this.rows().join('\n');
  }

  raw() {
    return fs.existsSync(this.record) ? fs.readFileSync(this.record, 'utf8') : '';
  }

  sendText(text) {
    this.tmux(['send-keys', '-t', 'it', '-l', text]);
  }

  sendKey(key) {
    this.tmux(['send-keys', '-t', 'it', key]);
  }

  // Runs a line in the shell.
  type(line) {
    this.sendText(line);
    this.sendKey('Enter');
  }

  paneDead() {
    return this.tmux(['display-message', '-p', '-t', 'it', '#{pane_dead}']).startsWith('1');
  }

  async waitFor(what, predicate, timeoutMs = 20000) {
    try {
      return await until(what, () => predicate(this.rows()), timeoutMs);
    } catch (e) {
      throw new Error(`${e.message}; the screen shows:\n${this.text()}`);
    }
  }

  // The escape key, then COMMAND at the prompt it opens.
  async escape(command) {
    this.sendKey('C-]');
    await this.waitFor('the escape prompt', (rows) => rows.some((r) => /^(\[tandem\]|tandem \(join\)>)/.test(r)));
    this.sendText(command);
    this.sendKey('Enter');
  }

  // Leaves the creator's prompt (it stays open after a command) and waits until it is gone.
  async closePrompt() {
    if (!this.text().includes('[tandem]')) return;
    this.sendKey('Escape');
    await this.waitFor('the escape prompt to close', (rows) => !rows.some((r) => r.includes('[tandem]')));
  }

  // `share [TTL]` at the escape prompt: the URL and token it printed.
  async share(ttl = '') {
    const from = this.raw().length;
    await this.escape(ttl ? `share ${ttl}` : 'share');
    const token = '[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+';
    const found = await until('share to print an invite URL', () => {
      const out = this.raw().slice(from);
      if (/ \(code: T_/.test(out) && !out.includes('/join#')) throw new Error('share refused:\n' + this.text());
      const m = new RegExp(`(https?://[^\\s/]+/join#(${token}))`).exec(out);
      return m && new RegExp(`ssh -p \\d+ join@\\S+ ${m[2].replace(/[.]/g, '\\.')}`).test(out) ? m : null;
    }, 20000);
    await this.closePrompt();
    return { url: found[1], token: found[2] };
  }

  kill() {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
  }
}

module.exports = { TmuxClient };
