// Renders who is in a session: name, how they came (creator / web / ssh) and who controls.

// participants: [{user, via, from}], controller: the controlling user's name.
export function renderPeople(list, participants, controller) {
  list.replaceChildren();
  for (const p of participants) {
    const item = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = p.user;
    item.append(name);
    const via = document.createElement('span');
    via.className = 'via';
    via.textContent = p.via === 'creator' ? '(creator)' : p.via ? `(${p.via}${p.from ? ' from ' + p.from : ''})` : '';
    item.append(via);
    if (controller && p.user === controller) {
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = 'controls';
      item.append(badge);
    }
    list.append(item);
  }
  if (!participants.length) {
    const item = document.createElement('li');
    item.textContent = 'Nobody yet';
    list.append(item);
  }
}

// "bob joined (web from 10.0.0.7)" → {via: "web", from: "10.0.0.7"}: the joined notice names
// only the user, its text says how they came.
export function arrivalFrom(text) {
  const m = /\((\S+) from ([^)]*)\)\s*$/.exec(text || '');
  return m ? { via: m[1], from: m[2] } : { via: '', from: '' };
}
