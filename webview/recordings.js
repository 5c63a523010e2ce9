// Recordings (admins and auditors): ended sessions from the store; Play fetches one recording
// (the broker checks the role and that the file is the session's, inside the recordings folder)
// and replays it with its markers (cast_player.js).
import { describe, getJson, goToLogin, whoAmI, wireLogout } from './api.js';
import { CastPlayer, parseCast } from './cast_player.js';

const $ = (id) => document.getElementById(id);
let player = null;

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function duration(s) {
  const total = Math.max(0, (s.ended_at || s.started_at) - s.started_at);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function fail(text) {
  $('player-error').textContent = text;
  $('player-error').hidden = false;
}

async function play(s, button) {
  button.disabled = true;
  $('player-error').hidden = true;
  let response;
  try {
    response = await fetch('/api/recording?session=' + encodeURIComponent(s.id),
      { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    button.disabled = false;
    return fail('The bastion could not be reached; check your network and try again.');
  }
  button.disabled = false;
  if (response.status === 401) return goToLogin('/recordings');
  $('player').hidden = false;
  $('player-title').textContent = `${s.user} on ${s.account}, ${new Date(s.started_at * 1000).toLocaleString([], { hour12: false })}`;
  if (!response.ok) {
    let data = {};
    try { data = await response.json(); } catch { data = {}; }
    return fail(describe(data));
  }
  const cast = parseCast(await response.text());
  if (response.headers.get('X-Tandem-Truncated')) fail('This recording is too large to replay whole here; its beginning is shown.');
  if (player) player.dispose();
  player = new CastPlayer(cast);
  player.play();
  return undefined;
}

function render(sessions) {
  const body = $('rec-body');
  body.replaceChildren();
  for (const s of sessions) {
    const row = document.createElement('tr');
    row.dataset.session = s.id;
    row.append(cell(new Date(s.started_at * 1000).toLocaleString([], { hour12: false })), cell(duration(s)),
      cell(s.user), cell(s.account), cell(s.via), cell(s.status || '—'));
    const actions = document.createElement('td');
    actions.className = 'row-actions';
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'primary';
    b.textContent = 'Play';
    b.addEventListener('click', () => play(s, b));
    actions.append(b);
    row.append(actions);
    body.append(row);
  }
  $('rec-table').hidden = sessions.length === 0;
  $('rec-status').textContent = sessions.length ? '' : 'No ended session with a recording yet.';
}

async function main() {
  wireLogout($('logout'));
  const user = await whoAmI($('whoami'));
  if (user === null) return goToLogin('/recordings');
  const { status, data } = await getJson('/api/recordings');
  if (status === 401) return goToLogin('/recordings');
  if (!data.ok) {
    $('rec-status').textContent = '';
    $('rec-error').textContent = describe(data);
    $('rec-error').hidden = false;
    return undefined;
  }
  render(data.sessions || []);
  return undefined;
}

main();
