// One stay in a shared session over the broker's WebSocket (docs/web-protocol.md): the terminal
// at the session's own size (never resized from here: it scales its font or scrolls), who
// controls, participants, notices, and control. Keystrokes are sent only while controlling.
import { describe } from './api.js';
import { arrivalFrom, renderPeople } from './people.js';
import { addNotice, screenRows, setStatus } from './page_parts.js';

const TAG_OUTPUT = 0x01;
const TAG_SNAPSHOT = 0x02;
const MAX_FONT = 15;
const MIN_FONT = 9;
const INPUT_CHUNK = 8192; // characters per input message, far below the 64 KiB message bound
const MAX_NOTICES = 60;
// A broker that went away (killed or restarting) gets this long to come back; the page tries
// the same invitation every RECONNECT_EVERY_MS meanwhile (the login survives the restart).
const RECONNECT_WINDOW_MS = 60000;
const RECONNECT_EVERY_MS = 1000;
const SHARE_RESUMING = 'T_717';

const $ = (id) => document.getElementById(id);

export class SessionView {
  // callbacks: welcome(), refused(msg), left(), ended(end), lost(message)
  constructor(token, callbacks) {
    this.token = token;
    this.callbacks = callbacks;
    this.terminal = null;
    this.early = []; // terminal bytes that came before the welcome
    this.people = [];
    this.controller = '';
    this.you = '';
    this.controlling = false;
    this.pending = false;
    this.commands = new Map(); // id → command, to read replies
    this.nextId = 0;
    this.finished = false;
    this.exitRequested = false;
    this.end = null;
    this.reconnectUntil = 0; // while reconnecting: when to give up
    this.timing = { enteredAt: performance.now(), welcomeAt: 0, firstScreenAt: 0 };
    this.onResize = () => this.fitFont();
    this.buttons = [
      [$('apply'), () => this.command('control')],
      [$('release'), () => this.command('release')],
      [$('exit'), () => this.leave()],
      [$('agree'), () => this.command('agree')],
      [$('refuse'), () => this.command('refuse')],
    ].map(([button, action]) => {
      const handler = () => action();
      button.addEventListener('click', handler);
      return [button, handler];
    });
  }

  start() {
    this.openSocket();
    window.tandemSession = this.testView();
  }

  openSocket() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => this.send({ type: 'join', token: this.token }));
    socket.addEventListener('message', (event) => { if (this.socket === socket) this.receive(event.data); });
    socket.addEventListener('close', (event) => { if (this.socket === socket) this.closed(event); });
  }

  get reconnecting() {
    return this.reconnectUntil !== 0;
  }

  // The broker went away without ending the share: the screen stays, the page says so and
  // tries again until the share is back, is refused for good, or the window passes.
  startReconnect() {
    if (!this.reconnecting) {
      this.reconnectUntil = performance.now() + RECONNECT_WINDOW_MS;
      this.controlling = false;
      this.pending = false;
      this.updateControls();
      this.addNotice('The connection to the bastion was lost; reconnecting…', 'bad');
    }
    this.end = null;
    this.setStatus('Reconnecting to the bastion…', 'problem');
    if (performance.now() > this.reconnectUntil) {
      this.reconnectUntil = 0;
      this.finish();
      this.callbacks.lost('The connection to the bastion was lost and did not come back.');
      return;
    }
    setTimeout(() => { if (!this.finished) this.openSocket(); }, RECONNECT_EVERY_MS);
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }

  command(type) {
    const id = ++this.nextId;
    this.commands.set(id, type);
    if (type === 'control') this.pending = true;
    this.send({ type, id });
    this.updateControls();
  }

  leave() {
    this.exitRequested = true;
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
      case 'welcome': return this.welcome(msg);
      case 'refused':
        // The broker is back but the creator's session has not re-registered yet.
        if (this.reconnecting && msg.code === SHARE_RESUMING) return undefined;
        this.reconnectUntil = 0;
        this.finish();
        return this.callbacks.refused(msg);
      case 'resize': return this.resize(msg.cols, msg.rows);
      case 'notice': return this.notice(msg);
      case 'reply': return this.reply(msg);
      case 'end': this.end = msg; return undefined;
      default: return undefined;
    }
  }

  welcome(msg) {
    this.timing.welcomeAt = performance.now();
    this.you = msg.you || '';
    this.controller = msg.controller || msg.creator || '';
    this.people = (msg.participants || []).map((p) => ({ user: p.user, via: p.via, from: p.from }));
    if (this.terminal) {
      this.reconnected(msg);
      return;
    }
    $('ses-title').textContent = `${msg.account} — shared by ${msg.creator}`;
    $('notices').replaceChildren();
    $('request').hidden = true;
    $('exit').disabled = false;
    this.callbacks.welcome();
    this.terminal = new window.Terminal({
      cols: msg.cols,
      rows: msg.rows,
      disableStdin: true,
      cursorBlink: false,
      scrollback: 1000,
      fontSize: MAX_FONT,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
      theme: { background: '#16181d', foreground: '#e6e6e6' },
    });
    const host = $('terminal');
    host.replaceChildren();
    this.terminal.open(host);
    this.terminal.onData((text) => this.input(text));
    this.showSize();
    this.fitFont();
    window.addEventListener('resize', this.onResize);
    for (const bytes of this.early) this.terminalBytes(bytes);
    this.early = [];
    this.renderPeople();
    this.updateControls();
    this.addNotice(`You entered the session as ${this.you}. You are watching; apply for control to type.`);
  }

  // Back in the same share on the same terminal: the snapshot that follows repaints it.
  reconnected(msg) {
    this.reconnectUntil = 0;
    this.controlling = false;
    this.pending = false;
    $('request').hidden = true;
    this.resize(msg.cols, msg.rows);
    this.renderPeople();
    this.updateControls();
    this.addNotice('Reconnected: you are back in the live session.', 'good');
  }

  terminalBytes(bytes) {
    if (!bytes.length) return;
    if (!this.terminal) {
      this.early.push(bytes);
      return;
    }
    const body = bytes.subarray(1);
    if (bytes[0] === TAG_SNAPSHOT) {
      // RIS in the stream, not terminal.reset(): writes are applied in order, reset() is not.
      this.terminal.write('\x1bc');
      this.terminal.write(body, () => {
        if (!this.timing.firstScreenAt) this.timing.firstScreenAt = performance.now();
      });
    } else if (bytes[0] === TAG_OUTPUT) {
      this.terminal.write(body);
    }
  }

  input(text) {
    if (!this.controlling) return; // the broker drops it anyway; do not even send it
    for (let i = 0; i < text.length; i += INPUT_CHUNK) {
      this.send({ type: 'input', data: text.slice(i, i + INPUT_CHUNK) });
    }
  }

  resize(cols, rows) {
    if (!this.terminal || !(cols > 0 && rows > 0)) return;
    this.terminal.resize(cols, rows); // the host's size changed; ours follows, never leads
    this.showSize();
    this.fitFont();
  }

  notice(n) {
    switch (n.event) {
      case 'joined':
        this.people.push({ user: n.user, ...arrivalFrom(n.text) });
        this.renderPeople();
        this.addNotice(n.text || `${n.user} joined`);
        return;
      case 'left': {
        const at = this.people.map((p) => p.user).lastIndexOf(n.user);
        if (at > 0) this.people.splice(at, 1);
        this.renderPeople();
        this.addNotice(n.text || `${n.user} left`);
        return;
      }
      case 'request':
        // Sent to whoever controls: the creator, or this viewer while it controls.
        $('request-text').textContent = `${n.user} applies for control.`;
        $('request').hidden = false;
        this.addNotice(`${n.user} applies for control.`);
        return;
      case 'refused': {
        $('request').hidden = true;
        const mine = this.pending;
        this.pending = false;
        this.updateControls();
        if (mine) this.setStatus('Your request for control was refused.', 'problem');
        this.addNotice(n.text || 'The request for control was refused.', 'bad');
        return;
      }
      case 'control':
        $('request').hidden = true;
        this.controller = n.controller || this.controller;
        this.controlling = n.you === true;
        this.pending = false;
        this.renderPeople();
        this.addNotice(n.text || `${this.controller} now controls the session.`, this.controlling ? 'good' : '');
        this.updateControls();
        if (this.controlling) this.terminal.focus();
        return;
      default:
        if (n.text) this.addNotice(n.text);
    }
  }

  reply(msg) {
    const type = this.commands.get(msg.id);
    this.commands.delete(msg.id);
    if (!msg.ok) {
      if (type === 'control') this.pending = false;
      this.updateControls();
      this.addNotice(describe(msg), 'bad');
      this.setStatus(describe(msg), 'problem');
      return;
    }
    if (type === 'agree' || type === 'refuse') $('request').hidden = true;
    if (msg.text) this.addNotice(msg.text);
    if (type === 'control') this.pending = !this.controlling;
    this.updateControls();
  }

  updateControls() {
    $('apply').hidden = this.controlling;
    $('apply').disabled = this.pending;
    $('release').hidden = !this.controlling;
    $('terminal-frame').classList.toggle('controlling', this.controlling);
    if (this.terminal) this.terminal.options.disableStdin = !this.controlling;
    $('ses-controller').textContent = this.controlling ? `You (${this.you})` : this.controller;
    if (this.controlling) this.setStatus('You control the session: your keystrokes reach the host.', 'controlling');
    else if (this.pending) this.setStatus('Request for control pending: waiting for an answer.');
    else this.setStatus(`Watching. ${this.controller} controls the session.`);
  }

  setStatus(text, kind = '') {
    setStatus($('ses-status'), text, kind);
  }

  addNotice(text, kind = '') {
    addNotice($('notices'), text, kind, MAX_NOTICES);
  }

  renderPeople() {
    renderPeople($('ses-people'), this.people, this.controller);
  }

  showSize() {
    $('ses-size').textContent = `${this.terminal.cols} × ${this.terminal.rows}, the session's own size`;
  }

  // Largest font (up to MAX_FONT) at which the fixed-size terminal fits the frame's width;
  // below MIN_FONT the frame scrolls instead.
  fitFont() {
    if (!this.terminal) return;
    const frame = $('terminal-frame');
    const screen = frame.querySelector('.xterm-screen');
    if (!screen || !screen.offsetWidth) return;
    // The frame hugs the terminal, so the room is its parent's width less the frame's padding.
    const style = getComputedStyle(frame);
    const room = frame.parentElement.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const size = this.terminal.options.fontSize;
    const wanted = Math.max(MIN_FONT, Math.min(MAX_FONT, Math.floor((size * room) / screen.offsetWidth)));
    if (wanted !== size) this.terminal.options.fontSize = wanted;
  }

  closed(event) {
    if (this.finished) return;
    // Lost without an end (killed broker), or ended by a broker that restarts: come back.
    const resumable = this.reconnecting || (this.end ? this.end.reconnect === true
      : !this.exitRequested && event.code !== 1008);
    if (resumable && this.terminal) {
      this.startReconnect();
      return;
    }
    this.reconnectUntil = 0;
    this.finish();
    if (this.end) {
      const leftByChoice = this.end.reason === 'exit' && !this.end.code;
      if (leftByChoice) this.callbacks.left();
      else this.callbacks.ended(this.end);
    } else if (this.exitRequested) {
      this.callbacks.left();
    } else {
      this.callbacks.lost(event.code === 1008 && event.reason
        ? `The bastion closed the connection: ${event.reason}`
        : 'The connection to the bastion was lost.');
    }
  }

  finish() {
    this.finished = true;
    this.controlling = false;
    window.removeEventListener('resize', this.onResize);
    for (const [button, handler] of this.buttons) button.removeEventListener('click', handler);
    if (this.terminal) this.terminal.options.disableStdin = true;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000);
  }

  // For the browser tests and for people debugging: what the terminal shows, and timings.
  testView() {
    const view = this;
    return {
      get you() { return view.you; },
      get controlling() { return view.controlling; },
      get timing() { return { ...view.timing }; },
      get size() { return view.terminal ? [view.terminal.cols, view.terminal.rows] : null; },
      screen() {
        return screenRows(view.terminal);
      },
    };
  }
}
