// Watching a live session read-only over the broker's WebSocket (docs/web-protocol.md, "watch"):
// the same terminal stream invitees get, but the socket never carries a keystroke or command.
import { addNotice, screenRows, setStatus } from './page_parts.js';

const TAG_OUTPUT = 0x01;
const TAG_SNAPSHOT = 0x02;
const $ = (id) => document.getElementById(id);

export class WatchView {
  // callbacks: watching(msg), refused(msg), ended(end), lost(text)
  constructor(session, callbacks) {
    this.session = session;
    this.callbacks = callbacks;
    this.terminal = null;
    this.early = [];
    this.end = null;
    this.finished = false;
  }

  start() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.socket = new WebSocket(`${scheme}//${location.host}/ws`);
    this.socket.binaryType = 'arraybuffer';
    this.socket.addEventListener('open', () => this.socket.send(JSON.stringify({ type: 'watch', session: this.session })));
    this.socket.addEventListener('message', (event) => this.receive(event.data));
    this.socket.addEventListener('close', () => this.closed());
    const view = this;
    window.tandemWatch = { screen: () => screenRows(view.terminal), get ended() { return view.end; } };
  }

  stop() {
    this.finished = true;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000);
    if (this.terminal) this.terminal.dispose();
    this.terminal = null;
  }

  receive(data) {
    if (typeof data !== 'string') return this.bytes(new Uint8Array(data));
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return undefined;
    }
    switch (msg.type) {
      case 'watching': return this.watching(msg);
      case 'refused': this.finished = true; return this.callbacks.refused(msg);
      case 'resize': return this.terminal && this.terminal.resize(msg.cols, msg.rows);
      case 'notice': return msg.text && addNotice($('watch-notices'), msg.text);
      case 'end': this.end = msg; return undefined;
      default: return undefined;
    }
  }

  watching(msg) {
    this.terminal = new window.Terminal({
      cols: msg.cols,
      rows: msg.rows,
      disableStdin: true,
      cursorBlink: false,
      scrollback: 1000,
      fontSize: 13,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
      theme: { background: '#16181d', foreground: '#e6e6e6' },
    });
    $('watch-terminal').replaceChildren();
    this.terminal.open($('watch-terminal'));
    for (const bytes of this.early) this.bytes(bytes);
    this.early = [];
    $('watch-notices').replaceChildren();
    setStatus($('watch-status'), msg.announced
      ? 'Read-only. Its participants were told that you are watching.'
      : 'Read-only. Watching silently (admin.announce_watch = false); the watch is audited.');
    this.callbacks.watching(msg);
    return undefined;
  }

  bytes(bytes) {
    if (!bytes.length) return;
    if (!this.terminal) {
      this.early.push(bytes);
      return;
    }
    if (bytes[0] === TAG_SNAPSHOT) {
      this.terminal.write('\x1bc');
      this.terminal.write(bytes.subarray(1));
    } else if (bytes[0] === TAG_OUTPUT) {
      this.terminal.write(bytes.subarray(1));
    }
  }

  closed() {
    if (this.finished) return;
    this.finished = true;
    if (this.end) this.callbacks.ended(this.end);
    else this.callbacks.lost('The connection to the bastion was lost.');
  }
}
