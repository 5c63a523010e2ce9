// Host Ops: the logged-in user's granted accounts, each with LogIn, which opens a web O&M
// session (the creator in this browser) and goes to its page. A session of this login that is
// still open is offered again (Open) instead of a second one.
import { describe, getJson, goToLogin, postJson, whoAmI, wireLogout } from './api.js';

const $ = (id) => document.getElementById(id);

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

// Rows and columns that fit the page below the toolbar, so the host's terminal starts at the
// size the session page will show (the page then fits it exactly).
function estimatedSize() {
  const cols = Math.max(40, Math.min(300, Math.floor((window.innerWidth - 420) / 9)));
  const rows = Math.max(10, Math.min(120, Math.floor((window.innerHeight - 190) / 17)));
  return { cols, rows };
}

async function logIn(account, button) {
  button.disabled = true;
  $('hosts-error').hidden = true;
  const { status, data } = await postJson('/api/sessions', { account, ...estimatedSize() });
  if (status === 401) return goToLogin('/hosts');
  if (!data.ok) {
    button.disabled = false;
    $('hosts-error').textContent = describe(data);
    $('hosts-error').hidden = false;
    return undefined;
  }
  location.assign('/session#' + encodeURIComponent(data.session));
  return undefined;
}

function render(accounts) {
  const body = $('hosts-body');
  body.replaceChildren();
  for (const a of accounts) {
    const row = document.createElement('tr');
    row.dataset.account = a.account;
    row.append(cell(a.account), cell(a.host), cell(a.address ? `${a.address}:${a.port}` : ''));
    const open = a.sessions.filter((s) => s.this_login);
    const others = a.sessions.length - open.length;
    const sessions = [];
    if (open.length) sessions.push(`${open.length} open here`);
    if (others) sessions.push(`${others} in another login`);
    row.append(cell(sessions.join(', ') || '—'));
    const actions = document.createElement('td');
    actions.className = 'row-actions';
    if (open.length) {
      const again = document.createElement('button');
      again.type = 'button';
      again.textContent = 'Open';
      again.addEventListener('click', () => location.assign('/session#' + encodeURIComponent(open[0].session)));
      actions.append(again);
    }
    const login = document.createElement('button');
    login.type = 'button';
    login.className = 'primary';
    login.textContent = 'LogIn';
    login.addEventListener('click', () => logIn(a.account, login));
    actions.append(login);
    row.append(actions);
    body.append(row);
  }
  $('hosts').hidden = accounts.length === 0;
  $('hosts-status').textContent = accounts.length
    ? ''
    : 'You hold no grant on any account yet; ask an administrator to grant you one.';
}

async function main() {
  wireLogout($('logout'));
  const user = await whoAmI($('whoami'));
  if (user === null) return goToLogin('/hosts');
  const { status, data } = await getJson('/api/hosts');
  if (status === 401) return goToLogin('/hosts');
  if (!data.ok) {
    $('hosts-status').textContent = '';
    $('hosts-error').textContent = describe(data);
    $('hosts-error').hidden = false;
    return undefined;
  }
  render(data.accounts || []);
  return undefined;
}

main();
