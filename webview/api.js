// The broker's JSON API, same origin: the login cookie rides along and the browser adds the
// Origin header the broker checks on every POST.

// Returns {status, data}; data is always an object with at least `ok`.
async function call(path, init) {
  let response;
  try {
    response = await fetch(path, { credentials: 'same-origin', cache: 'no-store', ...init });
  } catch {
    return { status: 0, data: { ok: false, code: '', text: 'The bastion could not be reached; check your network and try again.' } };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!data || typeof data !== 'object') {
    data = { ok: false, code: '', text: `The bastion sent an unexpected answer (HTTP ${response.status}).` };
  }
  return { status: response.status, data };
}

export function postJson(path, body) {
  return call(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
}

export function getJson(path) {
  return call(path, { method: 'GET' });
}

// The login page, told where to come back to. The fragment (an invite token) is handed over
// in the fragment again, so it never reaches the server.
export function goToLogin(next, fragment = '') {
  const url = '/login?next=' + encodeURIComponent(next) + (fragment ? '#' + fragment : '');
  location.replace(url);
}

// Only paths on this site: no scheme, no "//host", no backslashes browsers read as slashes.
export function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) return '/';
  if (next.includes('\\') || /[\u0000-\u001f]/.test(next)) return '/';
  if (next === '/login' || next.startsWith('/login?')) return '/';
  return next;
}

// The broker's sentence for a refusal ("access error (code: T_703): This invitation has
// expired; …"), with the code added when the sentence does not carry it already.
export function describe(data) {
  const text = data && data.text ? data.text : 'Something went wrong.';
  return data && data.code && !text.includes(data.code) ? `${text} (code: ${data.code})` : text;
}

export function wireLogout(link) {
  if (!link) return;
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    await postJson('/api/logout', {});
    location.replace('/login');
  });
}

// Shows "Logged in as NAME"; returns the name, null when the login is missing or expired, ''
// when the bastion could not say.
export async function whoAmI(slot) {
  const { status, data } = await getJson('/api/me');
  if (status === 401) return null;
  if (!data.ok) return '';
  if (slot) slot.textContent = 'Logged in as ' + data.user;
  // Live sessions and Recordings are linked for admins and auditors only (the broker refuses
  // everyone else anyway).
  const operator = data.roles && (data.roles.admin || data.roles.auditor);
  const links = document.getElementById('nav-operator');
  if (links) links.hidden = !operator;
  return data.user;
}
