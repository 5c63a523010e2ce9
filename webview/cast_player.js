// Replays an asciicast v2 recording (docs/web.md, Recordings) in xterm.js: Play/Pause, a
// timeline to seek on, and the recording's markers ("input: NAME", "control: ...", "end: ...")
// placed on it; clicking one seeks there.
import { screenRows } from './page_parts.js';

const $ = (id) => document.getElementById(id);

// {header, output: [[t, text]], markers: [[t, label]], duration}; bad lines are skipped.
export function parseCast(text) {
  const lines = text.split('\n');
  let header = {};
  try {
    header = JSON.parse(lines[0]);
  } catch {
    header = {};
  }
  const output = [];
  const markers = [];
  for (const line of lines.slice(1)) {
    if (!line) continue;
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(event) || typeof event[0] !== 'number' || typeof event[2] !== 'string') continue;
    if (event[1] === 'o') output.push([event[0], event[2]]);
    else if (event[1] === 'm') markers.push([event[0], event[2]]);
  }
  const last = Math.max(output.length ? output[output.length - 1][0] : 0,
    markers.length ? markers[markers.length - 1][0] : 0);
  return { header, output, markers, duration: last };
}

function clock(seconds) {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function markerKind(label) {
  if (label.startsWith('control:')) return 'control';
  if (label.startsWith('end:')) return 'end';
  return 'input';
}

export class CastPlayer {
  constructor(cast) {
    this.cast = cast;
    this.position = 0; // seconds
    this.next = 0; // index of the next output event to write
    this.playing = false;
    this.timer = null;
    this.terminal = new window.Terminal({
      cols: cast.header.width || 80,
      rows: cast.header.height || 24,
      disableStdin: true,
      cursorBlink: false,
      scrollback: 1000,
      fontSize: 13,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace',
      theme: { background: '#16181d', foreground: '#e6e6e6' },
    });
    $('player-terminal').replaceChildren();
    this.terminal.open($('player-terminal'));
    this.toggle = () => (this.playing ? this.pause() : this.play());
    this.seeked = () => this.seek((Number($('player-seek').value) / 1000) * this.cast.duration);
    $('player-toggle').addEventListener('click', this.toggle);
    $('player-seek').addEventListener('input', this.seeked);
    this.renderMarkers();
    this.show();
    const player = this;
    window.tandemPlayer = {
      screen: () => screenRows(this.terminal),
      get position() { return player.position; },
      get playing() { return player.playing; },
      markers: cast.markers.map(([t, label]) => ({ t, label })),
    };
  }

  dispose() {
    this.pause();
    $('player-toggle').removeEventListener('click', this.toggle);
    $('player-seek').removeEventListener('input', this.seeked);
    this.terminal.dispose();
  }

  renderMarkers() {
    const strip = $('markers');
    const list = $('marker-list');
    strip.replaceChildren();
    list.replaceChildren();
    const duration = this.cast.duration || 1;
    for (const [t, label] of this.cast.markers) {
      const mark = document.createElement('button');
      mark.type = 'button';
      mark.className = `marker ${markerKind(label)}`;
      mark.style.left = `${(100 * t) / duration}%`;
      mark.textContent = label.split(':')[0];
      mark.title = `${clock(t)} ${label}`;
      mark.addEventListener('click', () => this.seek(t));
      strip.append(mark);
      const item = document.createElement('li');
      const time = document.createElement('time');
      time.textContent = clock(t);
      const jump = document.createElement('button');
      jump.type = 'button';
      jump.className = 'marker-jump';
      jump.textContent = label;
      jump.addEventListener('click', () => this.seek(t));
      item.append(time, jump);
      list.append(item);
    }
  }

  show() {
    $('player-toggle').textContent = this.playing ? 'Pause' : 'Play';
    $('player-time').textContent = `${clock(this.position)} / ${clock(this.cast.duration)}`;
    const d = this.cast.duration || 1;
    $('player-seek').value = String(Math.round((1000 * this.position) / d));
  }

  // Writes every output event up to `t` that is not on the screen yet.
  advanceTo(t) {
    const out = this.cast.output;
    let chunk = '';
    while (this.next < out.length && out[this.next][0] <= t) chunk += out[this.next++][1];
    if (chunk) this.terminal.write(chunk);
    this.position = Math.min(t, this.cast.duration);
  }

  seek(t) {
    const target = Math.max(0, Math.min(t, this.cast.duration));
    if (target < this.position) {
      this.terminal.write('\x1bc'); // from the start: terminal state only goes forward
      this.next = 0;
    }
    this.advanceTo(target);
    this.startedAt = performance.now() - this.position * 1000;
    this.show();
  }

  play() {
    if (this.position >= this.cast.duration) this.seek(0);
    this.playing = true;
    this.startedAt = performance.now() - this.position * 1000;
    this.timer = setInterval(() => {
      this.advanceTo((performance.now() - this.startedAt) / 1000);
      if (this.position >= this.cast.duration) this.pause();
      this.show();
    }, 50);
    this.show();
  }

  pause() {
    this.playing = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.show();
  }
}
