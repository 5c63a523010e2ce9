// A web O&M session's page: the session id is in the URL's fragment (it is worth nothing to
// anyone else: only the login that opened the session may attach to it), so a reload comes back
// to the same session within web.om_grace.
import { goToLogin, whoAmI, wireLogout } from './api.js';
import { CreatorView } from './creator_view.js';

const $ = (id) => document.getElementById(id);
const ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function show(section) {
  for (const id of ['loading', 'problem', 'session']) $(id).hidden = id !== section;
}

function problem(title, text) {
  $('problem-title').textContent = title;
  $('problem-text').textContent = text;
  show('problem');
}

async function main() {
  wireLogout($('logout'));
  const id = decodeURIComponent(location.hash.slice(1));
  const user = await whoAmI($('whoami'));
  if (user === null) return goToLogin('/hosts');
  if (!ID_SHAPE.test(id)) return problem('No such session', 'Open Host Ops and choose LogIn to open a session.');
  const view = new CreatorView(id, {
    attached: () => show('session'),
    refused: (msg) => problem('This session cannot be opened here', msg.text || msg.code),
    ended: (end) => {
      const box = $('ses-ended');
      box.textContent = end.text || 'The session ended.';
      box.hidden = false;
      $('ses-status').textContent = '';
      document.title = 'Session ended · tandem';
    },
    lost: (text) => {
      const box = $('ses-ended');
      box.textContent = text;
      box.hidden = false;
    },
  });
  view.start();
  return undefined;
}

main();
