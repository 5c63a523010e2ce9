// Why a share ended, in words, from the broker's end message {reason, code, text}.
// The server's text (with its T_ code) is shown as well; this adds the plain cause.
export function explainEnd(end) {
  const reason = end.reason || '';
  switch (end.code) {
    case 'T_704':
      return 'The creator cancelled sharing.';
    case 'T_514':
      return 'The managed host stopped responding, so the session was disconnected.';
    case 'T_708':
      return reason === 'grant revoked'
        ? 'Your grant on this account was revoked.'
        : "The creator's access to this account was revoked.";
    case 'T_706':
      return 'The session is full.';
    case 'T_320':
      return 'An administrator ended the session.';
    default:
      break;
  }
  if (reason === 'exit') return 'The session ended: the shell on the host exited.';
  if (reason === 'client closed' || reason === 'session hook disconnected') {
    return 'The creator left the session.';
  }
  if (reason === 'T_507') return 'The connection to the managed host was lost.';
  if (reason === 'broker stopping') return 'The bastion stopped sharing service.';
  return 'The session ended.';
}
