// The connect page: plain HTML, CSS and JS served by the gateway (no CDN, no build step), embeddable in an
// iframe. The link token stays in the page's URL; API calls send it in the body so it never reaches logs.

export const CONNECT_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Link your IdentityIQ</title>
<link rel="stylesheet" href="/connect/app.css">
<script src="/connect/app.js" defer></script>
</head>
<body>
<main id="main">
  <h1 id="title" tabindex="-1">Link your IdentityIQ</h1>
  <p id="intro">Enter the SCIM address of your SailPoint IdentityIQ and the credentials the integration may use. We check the connection before saving it; the credentials are stored encrypted and never shown again.</p>
  <div id="token-error" class="alert" role="alert" hidden></div>
  <form id="connect-form" novalidate hidden>
    <div id="error-summary" class="alert" role="alert" tabindex="-1" hidden></div>
    <div class="field" id="label-field">
      <label for="label">Connection name</label>
      <input id="label" name="label" type="text" autocomplete="organization" required aria-describedby="label-error">
      <p class="error" id="label-error"></p>
    </div>
    <div class="field">
      <label for="baseUrl">IdentityIQ SCIM URL</label>
      <p class="hint" id="baseUrl-hint">For example https://iiq.example.com/identityiq/scim/v2</p>
      <input id="baseUrl" name="baseUrl" type="url" inputmode="url" autocomplete="url" required aria-describedby="baseUrl-hint baseUrl-error">
      <p class="error" id="baseUrl-error"></p>
    </div>
    <fieldset>
      <legend>Authentication</legend>
      <div class="choice"><input type="radio" id="kind-basic" name="kind" value="basic" checked><label for="kind-basic">User name and password (Basic)</label></div>
      <div class="choice"><input type="radio" id="kind-oauth2" name="kind" value="oauth2"><label for="kind-oauth2">OAuth 2.0 client credentials</label></div>
    </fieldset>
    <div id="basic-fields">
      <div class="field">
        <label for="username">User name</label>
        <input id="username" name="username" type="text" autocomplete="username" autocapitalize="off" spellcheck="false" required aria-describedby="username-error">
        <p class="error" id="username-error"></p>
      </div>
      <div class="field">
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="password-error">
        <p class="error" id="password-error"></p>
      </div>
    </div>
    <div id="oauth2-fields" hidden>
      <div class="field">
        <label for="clientId">Client ID</label>
        <input id="clientId" name="clientId" type="text" autocomplete="off" autocapitalize="off" spellcheck="false" required aria-describedby="clientId-error">
        <p class="error" id="clientId-error"></p>
      </div>
      <div class="field">
        <label for="clientSecret">Client secret</label>
        <input id="clientSecret" name="clientSecret" type="password" autocomplete="off" required aria-describedby="clientSecret-error">
        <p class="error" id="clientSecret-error"></p>
      </div>
      <div class="field">
        <label for="tokenUrl">Token URL <span class="optional">(optional)</span></label>
        <p class="hint" id="tokenUrl-hint">Leave empty to use …/identityiq/oauth2/token</p>
        <input id="tokenUrl" name="tokenUrl" type="url" autocomplete="off" aria-describedby="tokenUrl-hint tokenUrl-error">
        <p class="error" id="tokenUrl-error"></p>
      </div>
    </div>
    <details>
      <summary>Custom certificate authority</summary>
      <div class="field">
        <label for="caBundle">CA bundle (PEM) <span class="optional">(optional)</span></label>
        <p class="hint" id="caBundle-hint">Only if IdentityIQ uses a certificate from your own certificate authority.</p>
        <textarea id="caBundle" name="caBundle" rows="5" spellcheck="false" aria-describedby="caBundle-hint caBundle-error"></textarea>
        <p class="error" id="caBundle-error"></p>
      </div>
    </details>
    <div class="actions">
      <button type="button" id="test-button" class="secondary">Test connection</button>
      <button type="submit" id="save-button">Save connection</button>
    </div>
    <section id="check" aria-labelledby="check-title" hidden>
      <h2 id="check-title">Connection check</h2>
      <p id="check-summary" role="status" aria-live="polite"></p>
      <ul id="check-steps"></ul>
    </section>
  </form>
  <section id="done" hidden>
    <h2 id="done-title" tabindex="-1">Connected</h2>
    <p id="done-text">Your IdentityIQ is linked. You can close this window.</p>
  </section>
  <p id="busy" class="visually-hidden" role="status" aria-live="polite"></p>
</main>
</body>
</html>
`;

export const CONNECT_CSS = `:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#8c959f;--accent:#0b5cad;--bad:#b42318;--good:#067647;--focus:#f59e0b}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9da7b3;--line:#6e7681;--accent:#58a6ff;--bad:#ff7b72;--good:#3fb950}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:36rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.25rem 0 .5rem}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.choice{display:flex;align-items:center;gap:.5rem;margin:.25rem 0}
.choice label{font-weight:400;margin:0}
input[type=text],input[type=url],input[type=password],textarea{width:100%;font:inherit;padding:.6rem .7rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
input[type=radio]{width:1.25rem;height:1.25rem;margin:0}
textarea{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
[aria-invalid=true]{border-color:var(--bad);border-width:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 1rem;padding:.5rem .75rem}
legend{font-weight:600;padding:0 .25rem}
.hint,.optional{color:var(--muted);font-size:.9rem;margin:0 0 .25rem;font-weight:400}
.error{color:var(--bad);font-size:.9rem;margin:.25rem 0 0}
.error:empty{display:none}
.alert{border:2px solid var(--bad);border-radius:6px;padding:.75rem;margin:0 0 1rem}
details{margin:0 0 1rem}
summary{cursor:pointer;padding:.25rem 0;min-height:44px;display:flex;align-items:center}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
button{font:inherit;font-weight:600;min-height:44px;padding:.6rem 1.1rem;border-radius:6px;border:2px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer;flex:1 1 10rem}
button.secondary{background:transparent;color:var(--accent)}
button[disabled]{opacity:.6;cursor:progress}
#check-steps{list-style:none;padding:0;margin:0}
#check-steps li{padding:.4rem 0;border-bottom:1px solid var(--line)}
.pass::before{content:"✓ ";color:var(--good);font-weight:700}
.fail::before{content:"✗ ";color:var(--bad);font-weight:700}
.skip::before{content:"– ";color:var(--muted)}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
[hidden]{display:none!important}
`;

export const CONNECT_JS = `'use strict';
(function () {
  var token = new URLSearchParams(location.search).get('token') || '';
  var form = document.getElementById('connect-form');
  var mode = 'create';
  var STEP_NAMES = { reachable: 'Server reachable', tls: 'TLS certificate trusted', serviceProviderConfig: 'SCIM service provider configuration read', credentials: 'Credentials accepted', users: 'Users readable', roles: 'Roles readable' };
  var $ = function (id) { return document.getElementById(id); };

  function api(path, body) {
    return fetch('/connect/api/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(Object.assign({ token: token }, body || {})) })
      .then(function (res) { return res.json().then(function (data) { return { ok: res.ok, status: res.status, data: data }; }); });
  }

  function showTokenError(message) {
    form.hidden = true;
    var box = $('token-error');
    box.textContent = message;
    box.hidden = false;
  }

  function kind() { return $('kind-oauth2').checked ? 'oauth2' : 'basic'; }
  function syncKind() {
    $('basic-fields').hidden = kind() !== 'basic';
    $('oauth2-fields').hidden = kind() !== 'oauth2';
  }

  function value(id) { return $(id).value.trim(); }
  function input() {
    var auth = kind() === 'basic'
      ? { kind: 'basic', username: value('username'), password: $('password').value }
      : { kind: 'oauth2', clientId: value('clientId'), clientSecret: $('clientSecret').value };
    if (kind() === 'oauth2' && value('tokenUrl')) auth.tokenUrl = value('tokenUrl');
    var out = { baseUrl: value('baseUrl'), auth: auth };
    if (mode === 'create') out.label = value('label');
    if (value('caBundle')) out.caBundle = $('caBundle').value;
    return out;
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (el) { el.removeAttribute('aria-invalid'); });
    Array.prototype.forEach.call(form.querySelectorAll('.error'), function (el) { el.textContent = ''; });
    $('error-summary').hidden = true;
  }

  function validate() {
    clearErrors();
    var problems = [];
    var required = [['baseUrl', 'Enter the IdentityIQ SCIM URL']];
    if (mode === 'create') required.unshift(['label', 'Enter a name for this connection']);
    if (kind() === 'basic') required.push(['username', 'Enter the user name'], ['password', 'Enter the password']);
    else required.push(['clientId', 'Enter the client ID'], ['clientSecret', 'Enter the client secret']);
    required.forEach(function (r) { if (!$(r[0]).value.trim()) problems.push(r); });
    var url = value('baseUrl');
    if (url && !/^https?:\\/\\/[^\\s]+$/i.test(url)) problems.push(['baseUrl', 'Enter a URL starting with https:// or http://']);
    return problems;
  }

  function showProblems(problems) {
    var summary = $('error-summary');
    summary.innerHTML = '';
    var p = document.createElement('p');
    p.textContent = problems.length === 1 ? 'There is a problem:' : 'There are ' + problems.length + ' problems:';
    summary.appendChild(p);
    var ul = document.createElement('ul');
    problems.forEach(function (pr) {
      var li = document.createElement('li');
      if (pr[0]) {
        var a = document.createElement('a');
        a.href = '#' + pr[0];
        a.textContent = pr[1];
        a.addEventListener('click', function (e) { e.preventDefault(); $(pr[0]).focus(); });
        li.appendChild(a);
        $(pr[0]).setAttribute('aria-invalid', 'true');
        $(pr[0] + '-error').textContent = pr[1];
      } else li.textContent = pr[1];
      ul.appendChild(li);
    });
    summary.appendChild(ul);
    summary.hidden = false;
    summary.focus();
  }

  function fieldOf(problem) {
    var m = /^(?:auth\\.)?([A-Za-z]+)/.exec(problem);
    return m && $(m[1] + '-error') ? m[1] : null;
  }

  function serverProblems(data) {
    var list = (data.details && data.details.problems) || [data.message || 'Something went wrong'];
    return list.map(function (p) { return [fieldOf(p), p]; });
  }

  function renderCheck(check) {
    $('check').hidden = false;
    var steps = $('check-steps');
    steps.innerHTML = '';
    check.steps.forEach(function (s) {
      var li = document.createElement('li');
      li.className = s.status;
      li.setAttribute('data-step', s.name);
      li.setAttribute('data-status', s.status);
      li.textContent = (STEP_NAMES[s.name] || s.name) + ': ' + s.message + ' (' + (s.status === 'pass' ? 'passed' : s.status === 'fail' ? 'failed' : 'skipped') + ')';
      steps.appendChild(li);
    });
    $('check-summary').textContent = check.ok ? 'Connection check passed.' : 'Connection check failed: see the steps below.';
    $('check-summary').setAttribute('data-ok', String(check.ok));
  }

  function busy(on, message) {
    $('test-button').disabled = on;
    $('save-button').disabled = on;
    form.setAttribute('aria-busy', String(on));
    $('busy').textContent = on ? message : '';
  }

  function handleFailure(res) {
    if (res.data && res.data.details && res.data.details.code === 'LINK_TOKEN_INVALID') showTokenError(res.data.message);
    else showProblems(serverProblems(res.data || {}));
  }

  $('test-button').addEventListener('click', function () {
    var problems = validate();
    if (problems.length) return showProblems(problems);
    busy(true, 'Checking the connection…');
    api('check', { connection: input() }).then(function (res) {
      busy(false);
      if (!res.ok) return handleFailure(res);
      renderCheck(res.data);
    }, function () { busy(false); showProblems([[null, 'The gateway could not be reached. Try again.']]); });
  });

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var problems = validate();
    if (problems.length) return showProblems(problems);
    busy(true, 'Saving the connection…');
    api('save', { connection: input() }).then(function (res) {
      busy(false);
      if (!res.ok) return handleFailure(res);
      if (res.data.lastCheck) renderCheck(res.data.lastCheck);
      form.hidden = true;
      $('done').hidden = false;
      $('done').setAttribute('data-connection-id', res.data.id);
      $('done-text').textContent = res.data.status === 'active'
        ? 'Your IdentityIQ is linked and the check passed. You can close this window.'
        : 'Saved, but the connection check failed; the integration team will follow up.';
      $('done-title').focus();
      if (window.parent !== window) window.parent.postMessage({ type: 'iiq-graph:connected', connectionId: res.data.id }, '*');
    }, function () { busy(false); showProblems([[null, 'The gateway could not be reached. Try again.']]); });
  });

  $('kind-basic').addEventListener('change', syncKind);
  $('kind-oauth2').addEventListener('change', syncKind);
  syncKind();

  if (!token) return showTokenError('This page needs a link. Ask the team that sent it for a new one.');
  api('session').then(function (res) {
    if (!res.ok) return showTokenError(res.data.message || 'This link cannot be used.');
    mode = res.data.mode;
    if (mode === 'relink') {
      $('label-field').hidden = true;
      $('title').textContent = 'Update the IdentityIQ connection “' + res.data.connection.label + '”';
      $('baseUrl').value = res.data.connection.baseUrl;
    }
    form.hidden = false;
    $('title').focus();
  }, function () { showTokenError('The gateway could not be reached. Reload the page to try again.'); });
})();
`;
