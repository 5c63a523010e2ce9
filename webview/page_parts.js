// Pieces both session pages use: the invitee's view (session_view.js) and the creator's
// (creator_view.js).

// A status line under the toolbar; kind: '' | 'controlling' | 'problem'.
export function setStatus(element, text, kind = '') {
  element.textContent = text;
  element.className = 'status' + (kind ? ' ' + kind : '');
}

// Appends a timestamped notice, keeping the newest `max`.
export function addNotice(list, text, kind = '', max = 60) {
  const item = document.createElement('li');
  if (kind) item.className = kind;
  const time = document.createElement('time');
  time.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  item.append(time, document.createTextNode(text));
  list.append(item);
  while (list.children.length > max) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

// What an xterm.js terminal shows, as rows of text (for tests and debugging).
export function screenRows(terminal) {
  if (!terminal) return [];
  const buffer = terminal.buffer.active;
  const rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.baseY + y);
    rows.push(line ? line.translateToString(true) : '');
  }
  return rows;
}
