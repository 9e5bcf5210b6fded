/*
 * Backline web chat widget: one script tag, no framework.
 *
 *   <script src="https://<backline>/widget.js" data-repo="owner/name"></script>
 *
 * Without data-target it shows a "Get help" button in the corner that opens the chat; with
 * data-target="#css-selector" it renders the chat inside that element (support pages). Everything
 * renders in a shadow root, so the host page's styles neither leak in nor out. The conversation token
 * is kept in localStorage per repository; a link mailed to the visitor brings it back as #token=...
 */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var repo = script.getAttribute('data-repo') || '';
  var targetSelector = script.getAttribute('data-target');
  var base = new URL(script.src, location.href).origin;
  var storageKey = 'backline-chat:' + repo;
  var TEXT_MAX = 4000;

  var STYLE =
    ':host{all:initial;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330}' +
    '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;padding:12px 18px;background:#2f5bea;color:#fff;font:inherit;font-weight:600;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.2)}' +
    '.panel{display:flex;flex-direction:column;background:#fff;border:1px solid #dde1e8;border-radius:12px;overflow:hidden;height:100%;min-height:360px}' +
    '.floating{position:fixed;right:20px;bottom:76px;width:min(380px,calc(100vw - 40px));height:min(560px,calc(100vh - 100px));z-index:2147483000;box-shadow:0 8px 32px rgba(0,0,0,.22)}' +
    'header{display:flex;justify-content:space-between;align-items:center;padding:10px 14px;background:#2f5bea;color:#fff;font-weight:600}' +
    'header button{background:transparent;border:0;color:#fff;font:inherit;cursor:pointer}' +
    '.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}' +
    '.entry{max-width:85%;padding:8px 11px;border-radius:10px;background:#f1f3f7;white-space:normal;word-wrap:break-word}' +
    '.entry.visitor{align-self:flex-end;background:#2f5bea;color:#fff}' +
    '.entry.helper{background:#e7f6ec}' +
    '.who{font-size:12px;font-weight:600;margin-bottom:2px;opacity:.8}' +
    '.actions{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}' +
    '.actions button,.actions a,form button{border:1px solid #c5cbd6;background:#fff;color:#1d2330;border-radius:6px;padding:5px 10px;font:inherit;cursor:pointer;text-decoration:none}' +
    '.actions .primary,.actions .success,form button{background:#2f5bea;border-color:#2f5bea;color:#fff}' +
    '.actions .success{background:#1f8a4c;border-color:#1f8a4c}.actions .danger{color:#b42318;border-color:#e4a29b}' +
    'button:disabled{opacity:.5;cursor:default}' +
    'form{display:flex;flex-direction:column;gap:6px;margin-top:8px}' +
    'label{font-size:12px;font-weight:600}' +
    'input,textarea,select{font:inherit;padding:6px 8px;border:1px solid #c5cbd6;border-radius:6px;background:#fff;color:#1d2330}' +
    '.composer{display:flex;gap:6px;padding:10px;border-top:1px solid #e6e9ef}' +
    '.composer textarea{flex:1;resize:none;height:38px}' +
    '.composer button{border:0;border-radius:6px;background:#2f5bea;color:#fff;padding:0 14px;font:inherit;font-weight:600;cursor:pointer}' +
    '.notice{align-self:center;font-size:12px;color:#8a3b12;background:#fff4e5;padding:4px 8px;border-radius:6px}';

  var host = document.createElement('div');
  var mount = targetSelector ? document.querySelector(targetSelector) : null;
  (mount || document.body).appendChild(host);
  var root = host.attachShadow({ mode: 'open' });
  var style = document.createElement('style');
  style.textContent = STYLE;
  root.appendChild(style);

  var state = { token: null, conversationId: null, entries: new Map(), last: 0, stream: null, opened: false };
  var panel, log, textarea;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') node.textContent = attrs[key];
      else if (key.slice(0, 2) === 'on') node.addEventListener(key.slice(2), attrs[key]);
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(child);
    });
    return node;
  }

  /** Text with **bold** and line breaks; everything else is text, never HTML. */
  function richText(text) {
    var span = el('span');
    String(text).split(/(\*\*[^*]+\*\*)/).forEach(function (part) {
      var bold = /^\*\*([^*]+)\*\*$/.exec(part);
      var lines = (bold ? bold[1] : part).split('\n');
      lines.forEach(function (line, index) {
        if (index) span.appendChild(el('br'));
        span.appendChild(bold ? el('strong', { text: line }) : document.createTextNode(line));
      });
    });
    return span;
  }

  function tokenPayload(token) {
    try {
      return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    } catch (error) {
      return null;
    }
  }

  function api(method, path, body) {
    var headers = { 'content-type': 'application/json' };
    if (state.token) headers['x-chat-token'] = state.token;
    return fetch(base + path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          var error = new Error((data && data.error && data.error.message) || 'The chat is not reachable right now.');
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function notice(text) {
    log.appendChild(el('div', { class: 'notice', text: text }));
    log.scrollTop = log.scrollHeight;
  }

  function newId() {
    return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
  }

  function send(input, controls) {
    input.id = newId();
    (controls || []).forEach(function (control) {
      control.disabled = true;
    });
    return api('POST', '/api/v1/chat/conversations/' + state.conversationId + '/inputs', input)
      .then(function (data) {
        data.messages.forEach(add);
      })
      .catch(function (error) {
        (controls || []).forEach(function (control) {
          control.disabled = false;
        });
        notice(error.message);
      });
  }

  function renderForm(form) {
    var inputs = {};
    var node = el('form', { 'aria-label': form.title });
    node.appendChild(el('strong', { text: form.title }));
    form.fields.forEach(function (field) {
      var id = 'f-' + newId();
      var input = el(field.style === 'paragraph' ? 'textarea' : 'input', { id: id, maxlength: String(field.maxLength) });
      if (field.placeholder) input.setAttribute('placeholder', field.placeholder);
      if (field.required) input.setAttribute('required', '');
      if (field.value) input.value = field.value;
      if (field.id === 'email') input.setAttribute('type', 'email');
      if (field.id === 'code') input.setAttribute('inputmode', 'numeric');
      inputs[field.id] = input;
      node.appendChild(el('label', { for: id, text: field.label }));
      node.appendChild(input);
    });
    var submit = el('button', { type: 'submit', text: 'Send' });
    node.appendChild(submit);
    node.addEventListener('submit', function (event) {
      event.preventDefault();
      var fields = {};
      Object.keys(inputs).forEach(function (key) {
        fields[key] = inputs[key].value;
      });
      send({ kind: 'form', action: form.action, fields: fields, label: form.title }, [submit]);
    });
    return node;
  }

  function renderEntry(entry) {
    var node = el('div', { class: 'entry ' + entry.author, 'data-seq': String(entry.seq) });
    if (entry.author === 'helper' && entry.authorName) node.appendChild(el('div', { class: 'who', text: entry.authorName }));
    node.appendChild(richText(entry.text));
    var actions = el('div', { class: 'actions' });
    entry.buttons.forEach(function (button) {
      var control = el('button', { type: 'button', class: button.style || 'secondary', text: button.label });
      control.addEventListener('click', function () {
        send({ kind: 'button', action: button.action, label: button.label }, [control]);
      });
      actions.appendChild(control);
    });
    entry.links.forEach(function (link) {
      if (/^https?:\/\//.test(link.url)) actions.appendChild(el('a', { href: link.url, target: '_blank', rel: 'noopener noreferrer', text: link.label }));
    });
    if (entry.choices) {
      var select = el('select', { 'aria-label': entry.choices.placeholder });
      select.appendChild(el('option', { value: '', text: entry.choices.placeholder }));
      entry.choices.options.forEach(function (option) {
        select.appendChild(el('option', { value: option.value, text: option.label + (option.description ? ' — ' + option.description : '') }));
      });
      var choose = el('button', { type: 'button', class: 'primary', text: 'Choose' });
      choose.addEventListener('click', function () {
        if (!select.value) return;
        send({ kind: 'choice', action: entry.choices.action, value: select.value, label: select.options[select.selectedIndex].text }, [choose, select]);
      });
      actions.appendChild(select);
      actions.appendChild(choose);
    }
    if (actions.childNodes.length) node.appendChild(actions);
    if (entry.form) node.appendChild(renderForm(entry.form));
    return node;
  }

  function add(entry) {
    if (state.entries.has(entry.seq)) return;
    state.entries.set(entry.seq, entry);
    if (entry.seq > state.last) state.last = entry.seq;
    if (entry.author === 'visitor' && !entry.text) return;
    var node = renderEntry(entry);
    var after = null;
    log.querySelectorAll('[data-seq]').forEach(function (other) {
      if (!after && Number(other.getAttribute('data-seq')) > entry.seq) after = other;
    });
    log.insertBefore(node, after);
    log.scrollTop = log.scrollHeight;
  }

  /** Server-sent events read with fetch, so the token travels in a header rather than the URL. */
  function listen() {
    if (state.stream) state.stream.abort();
    var controller = new AbortController();
    state.stream = controller;
    var headers = { accept: 'text/event-stream', 'x-chat-token': state.token, 'last-event-id': String(state.last) };
    fetch(base + '/api/v1/chat/conversations/' + state.conversationId + '/events', { headers: headers, signal: controller.signal })
      .then(function (response) {
        if (!response.ok || !response.body) throw new Error('stream refused');
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = '';
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) throw new Error('stream ended');
            buffer += decoder.decode(chunk.value, { stream: true });
            var events = buffer.split('\n\n');
            buffer = events.pop();
            events.forEach(function (block) {
              var data = block
                .split('\n')
                .filter(function (line) {
                  return line.indexOf('data: ') === 0;
                })
                .map(function (line) {
                  return line.slice(6);
                })
                .join('\n');
              if (data) add(JSON.parse(data));
            });
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        if (controller.signal.aborted) return;
        setTimeout(listen, 3000);
      });
  }

  function begin(data) {
    state.token = data.token || state.token;
    state.conversationId = data.conversation.id;
    try {
      localStorage.setItem(storageKey, state.token);
    } catch (error) {
      /* private browsing: the conversation lasts as long as the page */
    }
    data.messages.forEach(add);
    listen();
  }

  function startNew() {
    state.token = null;
    state.entries.clear();
    state.last = 0;
    if (state.stream) state.stream.abort();
    log.textContent = '';
    return api('POST', '/api/v1/chat/conversations', { repo: repo }).then(begin, function (error) {
      notice(error.message);
    });
  }

  function resume(token) {
    var payload = tokenPayload(token);
    if (!payload || !payload.c) return startNew();
    state.token = token;
    return api('GET', '/api/v1/chat/conversations/' + payload.c + '?after=0').then(begin, function () {
      try {
        localStorage.removeItem(storageKey);
      } catch (error) {
        /* nothing stored */
      }
      return startNew();
    });
  }

  function submitText() {
    var text = textarea.value.trim();
    if (!text || !state.conversationId) return;
    if (text.length > TEXT_MAX) return notice('Please keep a message under ' + TEXT_MAX + ' characters; link to a gist or paste for long logs.');
    textarea.value = '';
    send({ kind: 'text', text: text });
  }

  function build(floating) {
    log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite' });
    textarea = el('textarea', { 'aria-label': 'Your message', placeholder: 'Type a message…', maxlength: String(TEXT_MAX) });
    textarea.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        submitText();
      }
    });
    var header = el('header', {}, [
      el('span', { text: 'Support for ' + repo }),
      el('button', { type: 'button', text: 'New conversation', onclick: startNew }),
    ]);
    panel = el('div', { class: 'panel' + (floating ? ' floating' : ''), role: 'region', 'aria-label': 'Support chat' }, [
      header,
      log,
      el('div', { class: 'composer' }, [textarea, el('button', { type: 'button', text: 'Send', onclick: submitText })]),
    ]);
    root.appendChild(panel);
  }

  function openChat() {
    if (state.opened) return;
    state.opened = true;
    var fromLink = /[#&]token=([^&]+)/.exec(location.hash);
    if (fromLink) history.replaceState(null, '', location.pathname + location.search);
    var stored = null;
    try {
      stored = localStorage.getItem(storageKey);
    } catch (error) {
      stored = null;
    }
    var token = fromLink ? decodeURIComponent(fromLink[1]) : stored;
    if (token) resume(token);
    else startNew();
  }

  if (mount) {
    host.style.display = 'block';
    host.style.height = '100%';
    build(false);
    openChat();
  } else {
    build(true);
    panel.style.display = 'none';
    var launcher = el('button', { class: 'launcher', type: 'button', text: 'Get help' });
    launcher.addEventListener('click', function () {
      var hidden = panel.style.display === 'none';
      panel.style.display = hidden ? 'flex' : 'none';
      if (hidden) openChat();
    });
    root.appendChild(launcher);
  }
})();
