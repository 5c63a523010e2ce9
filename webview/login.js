// The login form: POST /api/login, then back to where the user was going (`next`), with the
// fragment they came with (an invite token travels there, never to the server).
import { describe, getJson, postJson, safeNext } from './api.js';

const form = document.getElementById('login-form');
const userField = document.getElementById('user');
const passwordField = document.getElementById('password');
const button = document.getElementById('login-button');
const errorBox = document.getElementById('login-error');
const reason = document.getElementById('login-reason');

const next = safeNext(new URLSearchParams(location.search).get('next') || '/');
// Kept in memory and taken out of the address bar, like the invitation page does.
const fragment = location.hash;
if (fragment) history.replaceState(null, '', location.pathname + location.search);
if (fragment && next.startsWith('/join')) {
  reason.textContent = 'Log in to open the invitation you were sent.';
}

function proceed() {
  location.replace(next + fragment);
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const user = userField.value.trim();
  const password = passwordField.value;
  if (!user || !password) {
    showError('Enter your user name and password.');
    return;
  }
  button.disabled = true;
  const { data } = await postJson('/api/login', { user, password });
  if (data.ok) {
    proceed();
    return;
  }
  button.disabled = false;
  passwordField.value = '';
  passwordField.focus();
  showError(describe(data));
});

// Already logged in (a second tab, or the back button): go straight on.
getJson('/api/me').then(({ data }) => {
  if (data.ok) proceed();
});
