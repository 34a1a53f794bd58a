/**
 * The live-updates part of the page's script (see `PAGE_SCRIPT`, which embeds it before its
 * start-up code): one WebSocket to todo-api's `/live`, opened with the cookie and the page's
 * Origin (never a token in the URL); `todos` answers and `todo.created` / `todo.deleted` events
 * applied to the list; `#live-status` kept up to date. A close with 4401 `token_expired`, or a
 * socket that closed before answering (a refused upgrade is 1006 to a browser), costs one
 * refresh (`refreshOnce()`, shared with the API calls and the other tabs) and one reconnect;
 * another 4401 reason means "log in again"; a second failure in a row stops. It uses the
 * page script's `$`, `config`, `accessTokenFresh`, `refreshOnce`, `refreshesDone`,
 * `renderTodos`, `addTodo`, `removeTodo` and `showLoggedOut`.
 */
export const PAGE_LIVE_SCRIPT = `// One socket at a time; \`retried\` is the one
// refresh-and-reconnect a failure may cost, given back once a connection has answered.
const live = { socket: null, stopped: false, retried: false };

function setLiveStatus(state, text) {
  $('live-status').dataset.state = state;
  $('live-status').textContent = text;
}

async function connectLive() {
  if (live.stopped || live.socket) return;
  if (!accessTokenFresh() && !(await liveRefreshed())) return;
  setLiveStatus('connecting', 'connecting…');
  // the cookie and the Origin authenticate the handshake: never a token in this URL
  const socket = new WebSocket(config.todoApiUrl.replace(/^http/, 'ws') + '/live');
  live.socket = socket;
  const opened = { refreshes: refreshesDone, answered: false, at: Date.now() };
  socket.addEventListener('open', () => socket.send(JSON.stringify({ event: 'todos' })));
  socket.addEventListener('message', (message) => {
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    if (frame.event === 'todos' && Array.isArray(frame.data)) {
      renderTodos(frame.data);
      opened.answered = true;
      live.retried = false;
      setLiveStatus('live', 'live');
    } else if (frame.event === 'todo.created') addTodo(frame.data);
    else if (frame.event === 'todo.deleted' && frame.data) removeTodo(frame.data.id);
    // an \`exception\` frame comes before the close that says what to do
  });
  socket.addEventListener('close', (event) => {
    if (live.socket !== socket) return;
    live.socket = null;
    liveClosed(event, opened).catch((error) => stopLive(String(error)));
  });
}

async function liveClosed(event, opened) {
  if (live.stopped) return;
  if (event.code === 4401 && event.reason !== 'token_expired') {
    stopLive();
    showLoggedOut('Your session has ended (' + (event.reason || 'no reason given') + '). Log in again.');
    return;
  }
  if (live.retried) return stopLive('Live updates stopped: the connection failed again. Log in again to resume them.');
  live.retried = true;
  setLiveStatus('connecting', 'reconnecting…');
  if (event.code === 4401 || !opened.answered) {
    // expired, or refused at the handshake (the browser hides why): one refresh, unless one
    // finished meanwhile (an API call's), then one more try
    if (refreshesDone === opened.refreshes && !(await liveRefreshed(opened.at))) return;
  } else {
    await new Promise((resolve) => setTimeout(resolve, 1000)); // dropped: todo-api restarting, a network change
  }
  await connectLive();
}

// One refresh for the live socket; "log in again" when the session is over.
async function liveRefreshed(since) {
  const outcome = await refreshOnce(since);
  if (outcome === 'ok') return true;
  if (outcome === 'login') {
    stopLive();
    showLoggedOut('Your session has ended. Log in again.');
  } else stopLive('Live updates stopped: the authorization server is unavailable. Reload to try again.');
  return false;
}

function stopLive(message) {
  live.stopped = true;
  live.socket?.close();
  live.socket = null;
  setLiveStatus('stopped', 'stopped');
  if (message) $('error').textContent = message;
}
`;
