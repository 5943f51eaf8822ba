// Strata's web page: plain JavaScript over the JSON API, no framework, no
// network but this server. Everything the API returns is untrusted (package
// names, descriptions, refs, log lines come from package sets and Nix): it
// reaches the page only as text (textContent, attribute values), never as
// markup, and the server's Content-Security-Policy forbids inline script.
'use strict';

(function () {
  // Credentials live in this closure only: gone when the tab closes or the
  // page reloads, never in localStorage or a cookie.
  let credentials = null;
  const state = { me: null, source: null, sources: [], image: null, packages: [], pin: null, buildTimer: null };

  const $ = (id) => document.getElementById(id);

  function el(tag, text, attrs) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function say(text, isError) {
    const m = $('message');
    m.textContent = text || '';
    m.className = isError ? 'error' : '';
    m.setAttribute('role', isError ? 'alert' : 'status');
  }

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, options) {
    const headers = { Accept: 'application/json' };
    if (credentials) headers.Authorization = 'Basic ' + credentials.basic;
    const response = await fetch(path, Object.assign({ headers, credentials: 'omit' }, options || {}));
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const err = body && body.errors && body.errors[0];
      const text = err ? err.message : 'HTTP ' + response.status;
      throw new ApiError(response.status, text);
    }
    return body;
  }

  const host = () => window.location.host;
  const lower = (s) => String(s).toLowerCase();

  // --- sign in ------------------------------------------------------------------------

  function utf8Base64(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = '';
    bytes.forEach((b) => { binary += String.fromCharCode(b); });
    return btoa(binary);
  }

  async function signIn(event) {
    event.preventDefault();
    const user = $('user').value.trim();
    const secret = $('secret').value;
    if (!user || !secret) return say('Give a user name and a password or API token.', true);
    if (user.includes(':')) return say('A user name has no ":".', true);
    credentials = { user, basic: utf8Base64(user + ':' + secret) };
    $('secret').value = '';
    try {
      state.me = await api('/api/v1/me');
    } catch (e) {
      credentials = null;
      return say(e.status === 401 ? 'Wrong user name, password or token.' : e.message, true);
    }
    $('signin').hidden = true;
    $('whoami').hidden = false;
    $('whoami-name').textContent = 'Signed in as ' + user;
    say('Signed in.');
    await refreshAll();
  }

  function signOut() {
    credentials = null;
    state.me = Object.assign({}, state.me, { user: null, admin: !state.me.auth.enabled });
    $('signin').hidden = false;
    $('whoami').hidden = true;
    $('admin').hidden = true;
    say('Signed out.');
    refreshAll();
  }

  // --- sources --------------------------------------------------------------------------

  async function loadSources() {
    const list = $('sources');
    clear(list);
    let body;
    try {
      body = await api('/api/v1/sources');
    } catch (e) {
      return say('Cannot list the sources: ' + e.message, true);
    }
    // With auth on, only the sources the caller may pull from.
    const visible = body.sources.filter((s) => s.mayPull);
    await Promise.all(visible.map(async (s) => {
      try {
        s.refs = (await api('/api/v1/sources/' + encodeURIComponent(s.name) + '/refs')).refs;
      } catch (e) {
        s.refs = [];
        s.error = e.message;
      }
    }));
    visible.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    state.sources = visible;
    if (visible.length === 0) {
      list.appendChild(el('li', credentials ? 'No source you may pull from.' : 'Sign in to see the sources.'));
    }
    for (const s of visible) {
      const li = el('li', null, { class: 'source', 'data-source': s.name });
      const button = el('button', s.name, { type: 'button', 'aria-label': 'Show source ' + s.name });
      button.addEventListener('click', () => showSource(s.name));
      li.appendChild(button);
      li.appendChild(el('span', ' ' + (s.prefix ? s.prefix + '/…' : '(default)') + ' · ' + s.type));
      if (s.error) li.appendChild(el('span', ' · ' + s.error, { class: 'error' }));
      list.appendChild(li);
    }
    if (state.source && !visible.some((s) => s.name === state.source.name)) hideSource();
    else if (state.source) await showSource(state.source.name);
  }

  function hideSource() {
    state.source = null;
    $('source-detail').hidden = true;
    $('builder').hidden = true;
  }

  async function showSource(name) {
    const s = state.sources.find((x) => x.name === name);
    if (!s) return;
    if (!state.source || state.source.name !== name) {
      state.image = null;
      state.packages = [];
      state.pin = null;
    }
    state.source = s;
    $('source-detail').hidden = false;
    $('source-name').textContent = s.name;
    const facts = $('source-facts');
    clear(facts);
    const fact = (k, v) => { facts.appendChild(el('dt', k)); facts.appendChild(el('dd', v)); };
    fact('Prefix', s.prefix || '(none: the default source)');
    fact('Type', s.type);
    if (s.defaultRef) fact('Default ref', s.defaultRef);
    if (s.url) fact('Repository', s.url);
    const refs = $('refs');
    clear(refs);
    const select = $('ref');
    clear(select);
    for (const r of s.refs) {
      refs.appendChild(el('li', r.name + (r.kind !== 'latest' ? ' (' + r.kind + ')' : ''),
        { class: 'ref', 'data-ref': r.name, title: r.revision || '' }));
      select.appendChild(el('option', r.name, { value: r.name }));
    }
    clear($('results').tBodies[0]);
    await loadImages();
    updateBuilder();
  }

  async function loadImages() {
    const list = $('images');
    clear(list);
    const s = state.source;
    let body;
    try {
      body = await api('/api/v1/sources/' + encodeURIComponent(s.name) + '/images?ref=' +
        encodeURIComponent($('ref').value || 'latest'));
    } catch (e) {
      list.appendChild(el('li', 'Cannot list the declared images: ' + e.message, { class: 'error' }));
      return;
    }
    if (body.images.length === 0 && body.invalid.length === 0) list.appendChild(el('li', 'None.'));
    for (const image of body.images) {
      const li = el('li', null, { class: 'image', 'data-image': image.name });
      li.appendChild(el('strong', image.name));
      const parts = [];
      if (image.config.Entrypoint) parts.push('runs ' + image.config.Entrypoint.join(' '));
      if (image.user) parts.push('as ' + image.user.name + ' (uid ' + image.user.uid + ')');
      parts.push('contents: ' + image.contents.map((c) => c.name).join(', '));
      li.appendChild(el('span', ' ' + parts.join('; ')));
      if (image.pull) {
        const use = el('button', 'Use', { type: 'button', 'aria-label': 'Pull image ' + image.name });
        use.addEventListener('click', () => {
          state.image = lower(image.name);
          state.pin = null;
          updateBuilder();
        });
        li.appendChild(use);
      }
      list.appendChild(li);
    }
    for (const bad of body.invalid) {
      list.appendChild(el('li', bad.name + ': ' + bad.error, { class: 'image invalid error' }));
    }
  }

  // --- package search --------------------------------------------------------------------

  async function search(event) {
    if (event) event.preventDefault();
    const s = state.source;
    if (!s) return;
    const q = $('q').value;
    const ref = $('ref').value || 'latest';
    const tbody = $('results').tBodies[0];
    clear(tbody);
    say('Searching…');
    let body;
    try {
      body = await api('/api/v1/sources/' + encodeURIComponent(s.name) + '/packages?q=' +
        encodeURIComponent(q) + '&ref=' + encodeURIComponent(ref));
    } catch (e) {
      return say('Search failed: ' + e.message, true);
    }
    for (const p of body.packages) {
      const tr = el('tr', null, { 'data-attr': p.attr });
      tr.appendChild(el('td', p.attr));
      tr.appendChild(el('td', p.version || '–'));
      tr.appendChild(el('td', p.description));
      const td = el('td');
      const add = el('button', 'Add', { type: 'button', 'aria-label': 'Add ' + p.attr + ' to the image' });
      add.addEventListener('click', () => {
        const name = lower(p.attr);
        if (!state.packages.includes(name)) state.packages.push(name);
        state.pin = null;
        updateBuilder();
      });
      td.appendChild(add);
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    say(body.packages.length === 0 ? 'No package matches.' :
      body.packages.length + ' package' + (body.packages.length === 1 ? '' : 's') +
      (body.truncated ? ' (more match: narrow the search)' : '') + '.');
  }

  // --- pull command builder ---------------------------------------------------------------

  function imageName() {
    const s = state.source;
    const parts = [];
    if (s.prefix) parts.push(s.prefix);
    if (state.image) parts.push(state.image);
    for (const p of state.packages) if (p !== state.image) parts.push(p);
    return parts.length > (s.prefix ? 1 : 0) ? parts.join('/') : null;
  }

  function updateBuilder() {
    const s = state.source;
    if (!s) return;
    $('builder').hidden = false;
    $('pull-image').textContent = state.image || 'none';
    $('pull-packages').textContent = state.packages.length ? state.packages.join(', ') : 'none';
    const tag = $('pull-tag');
    const chosen = tag.value;
    clear(tag);
    for (const r of s.refs) if (r.tag) tag.appendChild(el('option', r.name, { value: r.name }));
    if (chosen && [...tag.options].some((o) => o.value === chosen)) tag.value = chosen;
    const name = imageName();
    const ref = name ? host() + '/' + name + ':' + (tag.value || 'latest') : '';
    $('cmd-docker').textContent = name ? 'docker pull ' + ref : 'Choose a declared image or add packages.';
    $('cmd-podman').textContent = name ? 'podman pull ' + ref : '';
    $('pin-button').disabled = !name;
    const pin = state.pin;
    $('cmd-pinned').textContent = pin ? 'docker pull ' + host() + '/' + pin.pinnedName : '';
    $('cmd-digest').textContent = pin ? 'docker pull ' + host() + '/' + pin.byDigest : '';
    const sbom = $('sbom-link');
    sbom.hidden = !pin;
    if (pin) {
      sbom.href = '/v2/' + pin.name.split('/').map(encodeURIComponent).join('/') + '/referrers/' +
        encodeURIComponent(pin.digest);
    }
  }

  async function pinImage() {
    const name = imageName();
    if (!name) return;
    const tag = $('pull-tag').value || 'latest';
    say('Building ' + name + ':' + tag + '…');
    $('pin-button').disabled = true;
    try {
      state.pin = await api('/api/v1/images/' + name.split('/').map(encodeURIComponent).join('/') +
        ':' + encodeURIComponent(tag) + '/pin');
      say('Built: ' + state.pin.digest);
    } catch (e) {
      state.pin = null;
      say('The image could not be built: ' + e.message, true);
    }
    updateBuilder();
    loadBuilds();
  }

  async function copy(event) {
    const target = $(event.currentTarget.getAttribute('data-copy'));
    const text = target ? target.textContent : '';
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      say('Copied.');
    } catch (e) {
      // No clipboard (plain http on another host): select it for the user.
      const range = document.createRange();
      range.selectNodeContents(target);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      say('Selected: copy it with Ctrl+C.');
    }
  }

  // --- builds ---------------------------------------------------------------------------------

  function duration(b) {
    const end = b.finishedAt ? b.finishedAt * 1000 : Date.now();
    const start = b.createdAt > 1e12 ? b.createdAt : b.createdAt * 1000;
    const seconds = Math.max(0, Math.round((end - start) / 1000));
    return seconds < 60 ? seconds + ' s' : Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s';
  }

  async function loadBuilds() {
    const tbody = $('builds').tBodies[0];
    // Builds say what everyone pulls: the admin API's rule.
    if (!state.me || !state.me.admin) {
      $('builds-section').hidden = true;
      return;
    }
    let body;
    try {
      body = await api('/api/v1/builds');
    } catch (e) {
      $('builds-section').hidden = true;
      return;
    }
    $('builds-section').hidden = false;
    clear(tbody);
    for (const b of body.builds) {
      const tr = el('tr', null, { 'data-build': b.id, class: 'state-' + b.state });
      const td = el('td');
      td.appendChild(el('a', b.image, { href: '#build/' + encodeURIComponent(b.id) }));
      tr.appendChild(td);
      tr.appendChild(el('td', b.state));
      tr.appendChild(el('td', duration(b)));
      tbody.appendChild(tr);
    }
    if (body.builds.length === 0) tbody.appendChild(el('tr')).appendChild(el('td', 'No build yet.'));
  }

  function stopWatching() {
    if (state.buildTimer) clearTimeout(state.buildTimer);
    state.buildTimer = null;
  }

  async function showBuild(id) {
    stopWatching();
    $('build-view').hidden = false;
    $('build-id').textContent = id;
    const poll = async () => {
      let b;
      try {
        b = await api('/api/v1/builds/' + encodeURIComponent(id));
      } catch (e) {
        $('build-state').textContent = 'unknown';
        $('build-error').hidden = false;
        $('build-error').textContent = e.message;
        return;
      }
      $('build-image').textContent = b.image;
      $('build-state').textContent = b.state;
      const log = $('build-log');
      // Only new lines are added: a long log is not rebuilt each second.
      const shown = log.childNodes.length;
      for (let i = shown; i < b.log.length; i++) log.appendChild(el('span', b.log[i] + '\n', { class: 'line' }));
      const failed = b.state === 'failed';
      $('build-error').hidden = !failed;
      $('build-error').textContent = failed ? b.error : '';
      if (b.state === 'queued' || b.state === 'running') state.buildTimer = setTimeout(poll, 1000);
      else loadBuilds();
    };
    clear($('build-log'));
    await poll();
  }

  function route() {
    const m = /^#build\/(.+)$/.exec(window.location.hash);
    if (m) {
      showBuild(decodeURIComponent(m[1]));
    } else {
      stopWatching();
      $('build-view').hidden = true;
    }
  }

  // --- access (admins) ------------------------------------------------------------------------

  async function loadAdmin() {
    if (!credentials || !state.me || !state.me.admin) { $('admin').hidden = true; return; }
    let teams;
    try {
      teams = await api('/api/v1/teams');
    } catch (e) {
      $('admin').hidden = true;
      return;
    }
    $('admin').hidden = false;
    const fill = (id, items, text) => {
      const list = $(id);
      clear(list);
      for (const item of items) list.appendChild(el('li', text(item)));
      if (items.length === 0) list.appendChild(el('li', 'None.'));
    };
    fill('teams', teams.teams || [], (t) => t.name + ((t.members || []).length ? ': ' + t.members.join(', ') : ''));
    try {
      const grants = await api('/api/v1/grants');
      fill('grants', grants.grants || [], (g) => g.team + ' may ' + g.action + ' ' + g.packageGlob + ' from ' + g.source);
    } catch (e) {
      fill('grants', [], () => '');
    }
    try {
      const tokens = await api('/api/v1/users/' + encodeURIComponent(credentials.user) + '/tokens');
      fill('tokens', tokens.tokens || [], (t) => t.name + (t.active ? '' : ' (inactive)'));
    } catch (e) {
      fill('tokens', [], () => '');
    }
  }

  async function refreshAll() {
    await loadSources();
    await Promise.all([loadBuilds(), loadAdmin()]);
  }

  // Without auth there is nobody to sign in as: the form is then hidden.
  async function detectAuth() {
    try {
      state.me = await api('/api/v1/me');
    } catch (e) {
      state.me = { auth: { enabled: true }, user: null, admin: false };
    }
    $('signin').hidden = !state.me.auth.enabled;
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('signin').addEventListener('submit', signIn);
    $('signout').addEventListener('click', signOut);
    $('search').addEventListener('submit', search);
    $('ref').addEventListener('change', () => { loadImages(); });
    $('pull-tag').addEventListener('change', () => { state.pin = null; updateBuilder(); });
    $('pull-clear').addEventListener('click', () => {
      state.image = null;
      state.packages = [];
      state.pin = null;
      updateBuilder();
    });
    $('pin-button').addEventListener('click', pinImage);
    $('builds-refresh').addEventListener('click', loadBuilds);
    $('build-close').addEventListener('click', (e) => { e.preventDefault(); window.location.hash = ''; });
    for (const b of document.querySelectorAll('button.copy')) b.addEventListener('click', copy);
    window.addEventListener('hashchange', route);
    detectAuth().then(refreshAll).then(route);
  });
})();
