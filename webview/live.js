// Live sessions (admins and auditors): every live host session, refreshed; Watch opens a
// read-only view of one; Terminate (admins) ends it for everyone with T_320 and a reason.
// The broker checks the role on every call; this page only hides what would be refused.
import { describe, getJson, goToLogin, postJson, whoAmI, wireLogout } from './api.js';
import { WatchView } from './watch_view.js';

const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
let canTerminate = false;
let watching = null;
let terminating = null;

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function since(startedAt) {
  return new Date(startedAt * 1000).toLocaleString([], { hour12: false });
}

function button(label, className, action) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', action);
  return b;
}

function render(sessions) {
  const body = $('live-body');
  body.replaceChildren();
  for (const s of sessions) {
    const row = document.createElement('tr');
    row.dataset.session = s.id;
    row.dataset.user = s.user;
    const people = s.participants.map((p) => `${p.user} (${p.via})`).join(', ');
    row.append(cell(s.user), cell(s.account), cell(since(s.started_at)), cell(s.via),
      cell(s.shared ? 'yes' : 'no'), cell(people || '—'), cell(s.controller),
      cell(`${s.bytes_in} / ${s.bytes_out}`));
    const actions = document.createElement('td');
    actions.className = 'row-actions';
    const watch = button('Watch', 'primary', () => startWatch(s));
    watch.disabled = !s.watchable;
    if (!s.watchable) watch.title = 'The broker does not know this session (yet): its hook is not connected.';
    actions.append(watch);
    if (canTerminate) actions.append(button('Terminate', 'danger', () => askTerminate(s)));
    row.append(actions);
    body.append(row);
  }
  $('live-table').hidden = sessions.length === 0;
  $('live-status').textContent = sessions.length ? '' : 'No session is live right now.';
}

async function refresh() {
  const { status, data } = await getJson('/api/live');
  if (status === 401) return goToLogin('/live');
  if (!data.ok) {
    $('live-status').textContent = '';
    $('live-table').hidden = true;
    $('live-error').textContent = describe(data);
    $('live-error').hidden = false;
    return false;
  }
  $('live-error').hidden = true;
  canTerminate = !!(data.roles && data.roles.admin);
  render(data.sessions || []);
  return true;
}

function startWatch(s) {
  if (watching) watching.stop();
  $('watch-ended').hidden = true;
  $('watch-title').textContent = `Watching ${s.user} on ${s.account} (read-only)`;
  $('watch').hidden = false;
  watching = new WatchView(s.id, {
    watching: () => {},
    refused: (msg) => {
      $('watch-ended').textContent = describe(msg);
      $('watch-ended').hidden = false;
    },
    ended: (end) => {
      $('watch-ended').textContent = end.text || 'The session ended.';
      $('watch-ended').hidden = false;
      $('watch-status').textContent = '';
    },
    lost: (text) => {
      $('watch-ended').textContent = text;
      $('watch-ended').hidden = false;
    },
  });
  watching.start();
}

function askTerminate(s) {
  terminating = s;
  $('terminate-who').textContent = `${s.user} on ${s.account}`;
  $('terminate-reason').value = '';
  $('terminate-form').hidden = false;
  $('terminate-reason').focus();
}

async function terminate(event) {
  event.preventDefault();
  if (!terminating) return undefined;
  $('terminate-confirm').disabled = true;
  const { status, data } = await postJson('/api/live/terminate', {
    session: terminating.id,
    reason: $('terminate-reason').value,
  });
  $('terminate-confirm').disabled = false;
  if (status === 401) return goToLogin('/live');
  $('terminate-form').hidden = true;
  if (!data.ok) {
    $('live-error').textContent = describe(data);
    $('live-error').hidden = false;
  } else {
    $('live-status').textContent = data.ended_now
      ? `Terminated ${terminating.user}'s session on ${terminating.account} (T_320).`
      : 'Ordered: the session ends at its next access re-check.';
  }
  terminating = null;
  await refresh();
  return undefined;
}

async function main() {
  wireLogout($('logout'));
  const user = await whoAmI($('whoami'));
  if (user === null) return goToLogin('/live');
  $('terminate-form').addEventListener('submit', terminate);
  $('terminate-cancel').addEventListener('click', () => { $('terminate-form').hidden = true; terminating = null; });
  $('watch-stop').addEventListener('click', () => {
    if (watching) watching.stop();
    watching = null;
    $('watch').hidden = true;
  });
  if (await refresh()) setInterval(refresh, REFRESH_MS);
  return undefined;
}

main();
