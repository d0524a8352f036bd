// The sandbox page: polls the emulator's snapshot every second and draws one card per phone.
// Cards are kept between polls (keyed by number), so a half-typed reply is never wiped.
'use strict';

const POLL_MS = 1000;
const query = new URLSearchParams(location.search);
const namespace = query.get('namespace') || 'default';
let webUiUrl = query.get('webUi');
const cards = new Map(); // phone → { root, timeline, links, quick, input, status, drawn }

/** Builds an element: el('a', { href, class: 'x' }, 'text', child). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
}

const workflowsUrl = () => `${webUiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows`;
const dispatchUrl = (callId) => `${workflowsUrl()}/${encodeURIComponent(`dispatch-${callId}`)}`;
const timeOf = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const shortId = (callId) => (callId.length > 14 ? `${callId.slice(0, 10)}…` : callId);

async function postJson(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.error || `HTTP ${response.status}`);
  return json;
}

function dispatchLink(callId, label) {
  return el('a', { href: dispatchUrl(callId), target: '_blank', rel: 'noopener', class: 'dispatch-link', title: `dispatch-${callId} in the Temporal Web UI` }, label);
}

function statusBadge(status, errorCode) {
  const text = errorCode ? `${status} · error ${errorCode}` : status;
  return el('span', { class: `status status-${status}` }, text);
}

function messageItem(m) {
  return el(
    'li',
    { class: `entry msg ${m.fromPhone ? 'sent' : 'received'}`, 'data-sid': m.sid },
    el('p', { class: 'body' }, m.body),
    el('footer', {}, el('time', { datetime: m.at }, timeOf(m.at)), statusBadge(m.status, m.errorCode)),
  );
}

/** A call the service placed to this phone: it rings until someone (or voicemail) answers here. */
function wakeUpCallItem(c) {
  const answer = (body) => postJson(`/_emulator/phones/${encodeURIComponent(c.to)}/answer`, body).then(refresh, refresh);
  const buttons =
    c.status === 'ringing'
      ? el(
          'p',
          { class: 'answer' },
          ...[
            ['Answer, press 1 (accept)', { digits: '1' }],
            ['Answer, press 2 (decline)', { digits: '2' }],
            ['Let voicemail answer', { machine: true }],
          ].map(([label, body]) => {
            const button = el('button', { type: 'button', class: 'chip' }, label);
            button.addEventListener('click', () => answer(body));
            return button;
          }),
        )
      : undefined;
  const outcome = c.answeredBy === 'machine_start' ? 'voicemail answered' : c.digits ? `pressed ${c.digits}` : '';
  return el(
    'li',
    { class: `entry call call-${c.status}`, 'data-call-sid': c.callSid },
    el('p', { class: 'call-title' }, el('span', { class: 'tag' }, 'call'), ' The dispatch service is calling this phone ', outcome),
    buttons,
    c.transcript.length
      ? el('details', {}, el('summary', {}, 'What was said'), el('ol', { class: 'transcript' }, c.transcript.map((line) => el('li', {}, line))))
      : undefined,
    el('footer', {}, el('time', { datetime: c.at }, timeOf(c.at)), el('span', { class: `status status-${c.status}` }, c.status)),
  );
}

function callItem(c) {
  if (c.direction === 'outbound-api') return wakeUpCallItem(c);
  const script = [c.digits ? `pressed ${c.digits}` : 'pressed nothing', c.speech ? `said “${c.speech}”` : undefined].filter(Boolean).join(', ');
  return el(
    'li',
    { class: `entry call call-${c.status}`, 'data-call-sid': c.callSid },
    el('p', { class: 'call-title' }, el('span', { class: 'tag' }, 'call'), ' Called the after-hours line: ', script),
    c.error ? el('p', { class: 'error' }, `Call failed: ${c.error}`) : undefined,
    el(
      'details',
      { open: c.status === 'in-progress' },
      el('summary', {}, 'What the caller heard'),
      el('ol', { class: 'transcript' }, c.transcript.map((line) => el('li', {}, line))),
    ),
    el('footer', {}, el('time', { datetime: c.at }, timeOf(c.at)), el('span', { class: `status status-${c.status}` }, c.status), dispatchLink(c.callSid, 'dispatch ↗')),
  );
}

function createCard(phone) {
  const input = el('input', { name: 'body', required: true, maxlength: '1600', placeholder: 'Text back, e.g. YES code', 'aria-label': `Reply from ${phone}` });
  const status = el('p', { class: 'reply-status', role: 'status' });
  const form = el('form', { class: 'reply', autocomplete: 'off' }, input, el('button', { type: 'submit' }, 'Send'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (body) void sendReply(phone, body, status).then((sent) => sent && (input.value = ''));
  });
  const card = {
    root: el('article', { class: 'phone', 'data-phone': phone }),
    role: el('span', { class: 'role' }),
    links: el('p', { class: 'links' }),
    timeline: el('ol', { class: 'timeline' }),
    quick: el('div', { class: 'quick' }),
    input,
    status,
    drawn: '',
  };
  card.title = el('h3', {}, phone);
  card.root.append(el('header', {}, card.title, card.role), card.links, card.timeline, card.quick, form, status);
  return card;
}

/** Texts `body` from this phone to the service, like a reply typed on it; true once sent. */
async function sendReply(phone, body, status) {
  status.textContent = `Sending “${body}”…`;
  status.className = 'reply-status';
  let sent = false;
  try {
    const result = await postJson(`/_emulator/phones/${encodeURIComponent(phone)}/reply`, { body });
    sent = true;
    status.textContent = result.status === 200 ? `Sent “${body}”.` : `The service answered HTTP ${result.status}.`;
  } catch (err) {
    status.textContent = `Not sent: ${err.message}`;
    status.className = 'reply-status error';
  }
  void refresh();
  return sent;
}

function drawCard(card, view, person) {
  const drawn = JSON.stringify([view, person]);
  if (drawn === card.drawn) return;
  card.drawn = drawn;
  const atBottom = card.timeline.scrollTop + card.timeline.clientHeight >= card.timeline.scrollHeight - 8;
  // Who a phone is: the roster names technicians; otherwise callers are told about their call and technicians get pages.
  card.title.replaceChildren(...(person ? [person.name, ' ', el('small', {}, view.phone)] : [view.phone]));
  card.role.textContent = person ? `tier ${person.tier} technician` : view.caller ? 'caller' : view.quickReplies.length ? 'technician' : '';
  card.role.className = `role ${view.caller && !person ? 'caller' : 'technician'}`;
  const links = view.callIds.map((id) => dispatchLink(id, `${shortId(id)} ↗`));
  card.links.replaceChildren(...(links.length ? [links.length > 1 ? 'Dispatches: ' : 'Dispatch: ', ...links] : []));
  card.timeline.replaceChildren(...view.timeline.map((e) => (e.kind === 'call' ? callItem(e) : messageItem(e))));
  // One click sends the answer at once, as if typed on the phone.
  card.quick.replaceChildren(
    ...view.quickReplies.map((text) => {
      const chip = el('button', { type: 'button', class: 'chip', title: `Text “${text}” now` }, text);
      chip.addEventListener('click', () => void sendReply(view.phone, text, card.status));
      return chip;
    }),
  );
  if (atBottom) card.timeline.scrollTop = card.timeline.scrollHeight;
}

function draw(snapshot) {
  webUiUrl = query.get('webUi') || snapshot.webUiUrl;
  document.getElementById('our-number').textContent = snapshot.ourNumber;
  document.getElementById('web-ui-link').href = workflowsUrl();
  document.getElementById('empty').hidden = snapshot.phones.length > 0;
  const grid = document.getElementById('phones');
  for (const view of snapshot.phones) {
    let card = cards.get(view.phone);
    if (!card) {
      card = createCard(view.phone);
      cards.set(view.phone, card);
      grid.append(card.root);
    }
    drawCard(card, view, snapshot.directory?.people.find((p) => p.phone === view.phone));
  }
  drawOnCall(snapshot.directory);
  // A reset emptied the emulator: drop cards of phones it no longer knows.
  const known = new Set(snapshot.phones.map((v) => v.phone));
  for (const [phone, card] of cards) {
    if (!known.has(phone)) {
      card.root.remove();
      cards.delete(phone);
    }
  }
}

/** Who is on call now per tier, and the next hand-off (spec section 9). */
function drawOnCall(directory) {
  const panel = document.getElementById('oncall');
  panel.hidden = !directory;
  if (!directory) return;
  document.getElementById('oncall-list').replaceChildren(
    ...directory.onCall.map(({ tier, names }) => el('li', {}, el('b', {}, `Tier ${tier}: `), names.length ? names.join(', ') : 'nobody')),
  );
  const next = directory.nextHandOff;
  document.getElementById('next-handoff').textContent = next
    ? `Next hand-off: ${next.technician} (tier ${next.tier}) at ${new Date(next.start).toLocaleString()}`
    : 'No hand-off ahead in the schedule.';
}

function setConnection(ok) {
  const pill = document.getElementById('connection');
  pill.textContent = ok ? 'live' : 'stand-in not reachable';
  pill.className = `pill ${ok ? 'ok' : 'bad'}`;
}

let refreshing;
/** One fetch at a time; a caller that asks meanwhile shares the running one. */
function refresh() {
  refreshing ??= fetch('/sandbox/state.json', { cache: 'no-store' })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then((snapshot) => {
      draw(snapshot);
      setConnection(true);
    })
    .catch(() => setConnection(false))
    .finally(() => (refreshing = undefined));
  return refreshing;
}

async function poll() {
  await refresh();
  setTimeout(poll, POLL_MS);
}

function setupCallForm() {
  const form = document.getElementById('call-form');
  const status = document.getElementById('call-status');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const script = { from: String(data.get('from')).trim(), digits: String(data.get('digits')) };
    const speech = String(data.get('speech') || '').trim();
    if (speech) script.speech = speech;
    const button = form.querySelector('button');
    button.disabled = true;
    status.className = 'form-status';
    status.textContent = `Calling from ${script.from}…`;
    const calling = postJson('/_emulator/calls', script);
    void refresh(); // the call shows on the caller's card while it is going on
    try {
      const call = await calling;
      status.replaceChildren(`Call ended. `, dispatchLink(call.callSid, 'Open the dispatch ↗'));
    } catch (err) {
      status.className = 'form-status error';
      status.textContent = `The call did not go through: ${err.message}`;
    } finally {
      button.disabled = false;
      void refresh();
    }
  });
}

setupCallForm();
void poll();
