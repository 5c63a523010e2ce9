// The creator's side of a web O&M session over the broker's WebSocket (docs/web-protocol.md):
// a terminal that fits the window and drives the host's terminal size, every key typed going to
// the session, and the sharing panel — Invite friends, Cancel share, Agree / Refuse, who is in
// the session and who controls, and taking control back.
import { describe } from './api.js';
import { renderPeople } from './people.js';
import { addNotice, screenRows, setStatus } from './page_parts.js';

const TAG_OUTPUT = 0x01;
const TAG_SNAPSHOT = 0x02;
const FONT = 14;
const INPUT_CHUNK = 8192; // characters per input message, far below the 64 KiB message bound
const MAX_NOTICES = 60;

const $ = (id) => document.getElementById(id);

export class CreatorView {
  // callbacks: attached(msg), refused(msg), ended(end), lost(text)
  constructor(sessionId, callbacks) {
    this.sessionId = sessionId;
    this.callbacks = callbacks;
    this.terminal = null;
    this.early = [];
    this.you = '';
    this.state = { ready: false, shared: false, controller: '', participants: [], pending: null };
    this.invite = null;
    this.commands = new Map();
    this.nextId = 0;
    this.finished = false;
    this.end = null;
    this.sentSize = '';
    this.timing = { startedAt: performance.now(), attachedAt: 0, firstOutputAt: 0 };
    this.onResize = () => {
      clearTimeout(this.resizeTimer);
      this.resizeTimer = setTimeout(() => this.fit(), 80);
    };
    for (const [id, action] of [
      ['share', () => this.togglePanel()],
      ['invite', () => this.command('share')],
      ['cancel-share', () => this.command('unshare')],
      ['agree', () => this.command('agree')],
      ['refuse', () => this.command('refuse')],
      ['take', () => this.command('take')],
      ['exit', () => this.leave()],
      ['copy-url', () => this.copy('invite-url', 'copy-url')],
      ['copy-ssh', () => this.copy('invite-ssh', 'copy-ssh')],
    ]) {
      $(id).addEventListener('click', action);
    }
  }

  start() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket.binaryType = 'arraybuffer';
    this.socket.addEventListener('open', () => this.send({ type: 'attach', session: this.sessionId }));
    this.socket.addEventListener('message', (event) => this.receive(event.data));
    this.socket.addEventListener('close', (event) => this.closed(event));
    window.tandemSession = this.testView();
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  command(type, extra = {}) {
    if (this.finished) return;
    const id = ++this.nextId;
    this.commands.set(id, type);
    this.send({ type, id, ...extra });
  }

  leave() {
    $('exit').disabled = true;
    this.command('exit');
  }

  receive(data) {
    if (typeof data !== 'string') {
      this.terminalBytes(new Uint8Array(data));
      return;
    }
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    switch (msg.type) {
      case 'attached': return this.attached(msg);
      case 'refused': this.finish(); return this.callbacks.refused(msg);
      case 'notice': return msg.event === 'state' ? this.applyState(msg) : this.notice(msg);
      case 'reply': return this.reply(msg);
      case 'end': this.end = msg; return undefined;
      default: return undefined;
    }
  }

  attached(msg) {
    this.timing.attachedAt = performance.now();
    this.you = msg.you || '';
    $('ses-title').textContent = `${msg.account} — your session`;
    document.title = `${msg.account} · tandem`;
    this.callbacks.attached(msg);
    this.terminal = new window.Terminal({
      cols: msg.cols || 80,
      rows: msg.rows || 24,
      cursorBlink: true,
      scrollback: 1000,
      fontSize: FONT,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
      theme: { background: '#16181d', foreground: '#e6e6e6' },
    });
    const host = $('terminal');
    host.replaceChildren();
    this.terminal.open(host);
    this.terminal.onData((text) => this.input(text));
    this.terminal.onBinary((text) => this.input(text));
    for (const bytes of this.early) this.terminalBytes(bytes);
    this.early = [];
    window.addEventListener('resize', this.onResize);
    this.fit();
    this.terminal.focus();
    this.render();
  }

  terminalBytes(bytes) {
    if (!bytes.length) return;
    if (!this.terminal) {
      this.early.push(bytes);
      return;
    }
    const body = bytes.subarray(1);
    if (bytes[0] === TAG_SNAPSHOT) {
      this.terminal.write('\x1bc');
      this.terminal.write(body);
    } else if (bytes[0] === TAG_OUTPUT) {
      if (!this.timing.firstOutputAt) this.timing.firstOutputAt = performance.now();
      this.terminal.write(body);
    }
  }

  input(text) {
    if (this.finished) return;
    for (let i = 0; i < text.length; i += INPUT_CHUNK) this.send({ type: 'input', data: text.slice(i, i + INPUT_CHUNK) });
  }

  // Columns and rows that fill the frame at the terminal's cell size; the host's terminal is
  // sized to them (the page leads here, unlike an invitee's).
  fit() {
    if (!this.terminal || this.finished) return;
    const frame = $('terminal-frame');
    const screen = frame.querySelector('.xterm-screen');
    if (!screen || !screen.offsetWidth || !screen.offsetHeight) return;
    const cellW = screen.offsetWidth / this.terminal.cols;
    const cellH = screen.offsetHeight / this.terminal.rows;
    const room = $('terminal');
    const width = room.clientWidth;
    const height = room.clientHeight;
    const cols = Math.max(20, Math.min(500, Math.floor(width / cellW)));
    const rows = Math.max(5, Math.min(200, Math.floor(height / cellH)));
    if (cols !== this.terminal.cols || rows !== this.terminal.rows) this.terminal.resize(cols, rows);
    const size = `${cols}x${rows}`;
    if (size !== this.sentSize) {
      this.sentSize = size;
      this.send({ type: 'resize', cols, rows });
    }
    $('ses-size').textContent = `${cols} × ${rows}`;
  }

  togglePanel() {
    const panel = $('share-panel');
    panel.hidden = !panel.hidden;
    $('share').classList.toggle('active', !panel.hidden);
    this.fit();
  }

  applyState(s) {
    this.state = {
      ready: s.ready === true,
      shared: s.shared === true,
      controller: s.controller || this.you,
      participants: Array.isArray(s.participants) ? s.participants : [],
      pending: s.pending || null,
    };
    if (!this.state.shared) this.invite = null;
    this.render();
  }

  render() {
    const s = this.state;
    const othersControl = s.shared && s.controller && s.controller !== this.you;
    $('share').disabled = this.finished;
    $('invite').disabled = this.finished || !s.ready;
    $('cancel-share').disabled = this.finished || !s.shared;
    $('take').hidden = !othersControl || this.finished;
    $('exit').disabled = this.finished;
    $('terminal-frame').classList.toggle('others', Boolean(othersControl));
    $('ses-controller').textContent = othersControl ? s.controller : `You (${this.you})`;
    const people = s.participants.map((p) => ({ user: p.user, via: p.via, from: p.from }));
    renderPeople($('ses-people'), people, s.controller);
    $('request').hidden = !s.pending;
    $('request-text').textContent = s.pending ? `${s.pending} applies for control.` : '';
    $('invite-box').hidden = !this.invite;
    if (this.invite) {
      $('invite-url').value = this.invite.url;
      $('invite-ssh').value = this.invite.ssh || '';
      $('invite-expires').textContent = new Date(this.invite.expires_at * 1000).toLocaleString();
    }
    const invitees = Math.max(0, s.participants.length - 1);
    $('share-state').textContent = this.finished
      ? 'The session has ended.'
      : !s.ready
      ? 'Connecting to the host…'
      : s.shared
        ? `Shared: ${invitees} ${invitees === 1 ? 'invitee' : 'invitees'} in the session. Cancel share removes everyone and ends every URL of it.`
        : 'Not shared. Invite friends makes an invite URL for colleagues who hold a grant on this account.';
    if (this.finished) return;
    if (othersControl) this.setStatus(`${s.controller} controls the session: your keys wait until you take control back.`, 'problem');
    else if (s.pending) this.setStatus(`${s.pending} applies for control: Agree or Refuse.`);
    else this.setStatus(s.shared ? 'Shared; you control the session.' : 'You control the session.', 'controlling');
  }

  notice(n) {
    if (n.text) this.addNotice(n.text, n.event === 'refused' ? 'bad' : '');
  }

  reply(msg) {
    const type = this.commands.get(msg.id);
    this.commands.delete(msg.id);
    if (!msg.ok) {
      this.addNotice(describe(msg), 'bad');
      this.setStatus(describe(msg), 'problem');
      return;
    }
    if (type === 'share') {
      this.invite = { url: msg.url, ssh: msg.ssh, expires_at: msg.expires_at };
      $('share-panel').hidden = false;
      this.addNotice('Invite URL ready: copy it to your colleagues.', 'good');
    } else if (type === 'unshare') {
      this.invite = null;
    }
    if (msg.text) this.addNotice(msg.text);
    this.render();
  }

  async copy(inputId, buttonId) {
    const input = $(inputId);
    let done = false;
    try {
      await navigator.clipboard.writeText(input.value);
      done = true;
    } catch {
      input.select();
      done = document.execCommand('copy');
    }
    const button = $(buttonId);
    button.textContent = done ? 'Copied' : 'Select and copy';
    setTimeout(() => { button.textContent = 'Copy'; }, 2000);
  }

  setStatus(text, kind = '') {
    setStatus($('ses-status'), text, kind);
  }

  addNotice(text, kind = '') {
    addNotice($('notices'), text, kind, MAX_NOTICES);
  }

  closed(event) {
    if (this.finished) return;
    this.finish();
    if (this.end) this.callbacks.ended(this.end);
    else this.callbacks.lost(event.code === 1008 && event.reason
      ? `The bastion closed the connection: ${event.reason}`
      : 'The connection to the bastion was lost; reload the page within a few seconds to return to the session.');
  }

  finish() {
    this.finished = true;
    window.removeEventListener('resize', this.onResize);
    if (this.terminal) this.terminal.options.disableStdin = true;
    this.render();
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000);
  }

  // For the browser tests and for people debugging: what the terminal shows, and timings.
  testView() {
    const view = this;
    return {
      get you() { return view.you; },
      get state() { return { ...view.state }; },
      get timing() { return { ...view.timing }; },
      get size() { return view.terminal ? [view.terminal.cols, view.terminal.rows] : null; },
      screen() {
        return screenRows(view.terminal);
      },
    };
  }
}
