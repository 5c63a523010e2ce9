// The invitation page and the session view in one page. The invite token arrives in the URL's
// fragment (never sent to the server in a URL); it is taken out of the address bar at once and
// kept only in this page's memory, then sent in request bodies and the WebSocket.
import { describe, goToLogin, postJson, whoAmI, wireLogout } from './api.js';
import { explainEnd } from './end_reasons.js';
import { renderPeople } from './people.js';
import { SessionView } from './session_view.js';

const $ = (id) => document.getElementById(id);
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN = 4096;
const REFRESH_MS = 10000; // keeps "who is in the session" current on the invitation

function takeToken() {
  const raw = location.hash.slice(1);
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  let token = raw;
  try {
    token = decodeURIComponent(raw);
  } catch {
    return '';
  }
  return token.length <= MAX_TOKEN && TOKEN_SHAPE.test(token) ? token : '';
}

const token = takeToken();
let invitation = null;
let skew = 0; // server clock minus ours, seconds
let countdownTimer = 0;
let refreshTimer = 0;
let entering = false;
let over = false; // refused or ended: nothing brings the invitation back

function show(section) {
  for (const id of ['loading', 'invitation', 'problem', 'session']) $(id).hidden = id !== section;
}

function stopTimers() {
  clearInterval(countdownTimer);
  clearInterval(refreshTimer);
  countdownTimer = refreshTimer = 0;
}

function showProblem(title, reason, data) {
  over = true;
  stopTimers();
  document.title = 'tandem';
  $('problem-title').textContent = title;
  $('problem-reason').textContent = reason || '';
  $('problem-reason').hidden = !reason;
  $('problem-text').textContent = data ? describe(data) : '';
  $('problem-text').hidden = !data;
  show('problem');
}

function remaining() {
  return invitation.expires_at - (Date.now() / 1000 + skew);
}

function formatLeft(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  if (h) return `${h} h ${pad(m)} min`;
  if (m) return `${m} min ${pad(s % 60)} s`;
  return `${s} s`;
}

function tick() {
  const left = remaining();
  const countdown = $('inv-countdown');
  if (left <= 0) {
    countdown.textContent = '(expired)';
    stopTimers();
    refresh(); // the broker says why, with its code
    return;
  }
  countdown.textContent = `(in ${formatLeft(left)})`;
  countdown.classList.toggle('soon', left < 120);
}

function renderInvitation() {
  document.title = `Invitation from ${invitation.creator} · tandem`;
  $('inv-creator').textContent = invitation.creator;
  $('inv-account').textContent = invitation.account;
  $('inv-expires').textContent = new Date(invitation.expires_at * 1000).toLocaleString();
  $('inv-size').textContent = `${invitation.cols} × ${invitation.rows}`;
  const controller = (invitation.participants || []).find((p) => p.controller);
  renderPeople($('inv-people'), invitation.participants || [], controller ? controller.user : invitation.controller);
  $('enter').disabled = entering;
  tick();
}

// Fetches the invitation; on success shows it (with `note`, if any), else the refusal.
async function refresh(note) {
  const { status, data } = await postJson('/api/invitation', { token });
  if (over) return false;
  if (status === 401) {
    goToLogin('/join', token);
    return false;
  }
  if (!data.ok) {
    showProblem('You cannot enter this session', '', data);
    return false;
  }
  invitation = data;
  skew = typeof data.now === 'number' ? data.now - Date.now() / 1000 : 0;
  if (note !== undefined) {
    $('inv-note').textContent = note;
    $('inv-note').hidden = !note;
  }
  if (!entering) {
    renderInvitation();
    show('invitation');
    if (!countdownTimer) countdownTimer = setInterval(tick, 1000);
    if (!refreshTimer) refreshTimer = setInterval(() => refresh(), REFRESH_MS);
  }
  return true;
}

function enter() {
  if (entering) return;
  entering = true;
  $('enter').disabled = true;
  $('inv-error').hidden = true;
  stopTimers();
  const view = new SessionView(token, {
    welcome() {
      document.title = `${invitation.account} · tandem`;
      show('session');
    },
    refused(msg) {
      entering = false;
      showProblem('You cannot enter this session', '', msg);
    },
    left() {
      entering = false;
      refresh('You left the session. You can enter again while the invitation is valid.');
    },
    ended(end) {
      entering = false;
      showProblem('The share has ended', explainEnd(end), end);
    },
    lost(message) {
      entering = false;
      refresh(message);
    },
  });
  view.start();
}

async function main() {
  wireLogout($('logout'));
  // Another invite pasted into this tab only changes the fragment: start afresh with it.
  window.addEventListener('hashchange', () => location.reload());
  if (!token) {
    showProblem('No invitation in this address',
      'Open the invitation link you were given: it ends with # and a long code.');
    whoAmI($('whoami'));
    return;
  }
  const user = await whoAmI($('whoami'));
  if (user === null) {
    goToLogin('/join', token);
    return;
  }
  $('enter').addEventListener('click', enter);
  await refresh();
}

main();
