/*
 * Server form of WHMCS (Configuration → Servers, Add/Edit) for Acronis Cyber Cloud servers
 * (docs/behaviour.md §A.12). The admin chooses the authentication explicitly:
 *   - "Username and password": the module turns them into an API client when the server is
 *     saved (ServerAdd/ServerEdit hook) and stores the client's ID and secret instead;
 *   - "API client (ID and secret)": used as they are.
 * The choice is written into the hidden Access Hash field (`username` / `client_credentials`),
 * which nobody has to type by hand. The Hostname field also takes a data-center URL.
 * Injected by the AdminAreaHeaderOutput hook on configservers.php; does nothing for other
 * server modules and restores the form when the module is switched away.
 */
(function () {
  'use strict';

  var MODULE = 'acroniscloud';
  var CLIENT = 'client_credentials';
  var TEXT = {
    method: 'Authentication method',
    password: 'Username and password',
    client: 'API client (ID and secret)',
    username: 'Username',
    passwordLabel: 'Password',
    clientId: 'Client ID',
    clientSecret: 'Client secret',
    host: 'URL, Hostname or IP',
    hint: 'Username and password will be replaced with the ID and secret of a new API client after you click "Save Changes".',
    needPassword: 'Enter the password of the login: the stored API client secret is not a password.'
  };

  function start() {
    var form = document.getElementById('frmServerConfig');
    if (!form) return;
    var field = function (name) { return form.querySelector('[name="' + name + '"]'); };
    var type = field('type');
    var user = field('username');
    var pass = field('password');
    var hash = field('accesshash');
    var host = field('hostname');
    if (!type || !user || !pass || !hash) return;

    var labels = { user: labelOf(form, user), pass: labelOf(form, pass), host: host ? labelOf(form, host) : null };
    var original = {
      user: labels.user ? labels.user.textContent : '',
      pass: labels.pass ? labels.pass.textContent : '',
      host: labels.host ? labels.host.textContent : ''
    };
    var hashRow = rowOf(hash);
    var initial = hash.value.trim() === CLIENT ? 'client' : 'password';
    var box = chooser(initial);
    var userRow = rowOf(user);
    userRow.parentNode.insertBefore(box.el, userRow);

    function apply() {
      var ours = type.value === MODULE;
      box.el.hidden = !ours;
      if (hashRow) hashRow.hidden = ours;
      if (!ours) {
        setText(labels.user, original.user);
        setText(labels.pass, original.pass);
        setText(labels.host, original.host);
        return;
      }
      var client = box.value() === 'client';
      hash.value = client ? CLIENT : 'username';
      setText(labels.user, client ? TEXT.clientId : TEXT.username);
      setText(labels.pass, client ? TEXT.clientSecret : TEXT.passwordLabel);
      setText(labels.host, TEXT.host);
      box.hint.hidden = client;
    }

    box.el.addEventListener('change', apply);
    type.addEventListener('change', apply);
    if (host) host.addEventListener('change', function () { if (type.value === MODULE) fromUrl(form, host); });
    form.addEventListener('submit', function (event) {
      if (type.value !== MODULE) return;
      if (host) fromUrl(form, host);
      // A stored API client switched to a login keeps its secret unless a password is typed:
      // saving that would turn the client secret into a password and break the connection.
      if (initial === 'client' && box.value() === 'password' && pass.value === '') {
        event.preventDefault();
        box.hint.textContent = TEXT.needPassword;
        box.hint.className = 'help-block acroniscloud-auth-hint text-danger';
        pass.setAttribute('aria-invalid', 'true');
        pass.focus();
      }
    });
    apply();
  }

  /** The radio group with its hint; `value()` is `password` or `client`. */
  function chooser(initial) {
    var el = document.createElement('div');
    el.className = 'form-group acroniscloud-auth';
    el.id = 'acroniscloudAuth';
    el.setAttribute('role', 'radiogroup');
    el.setAttribute('aria-labelledby', 'acroniscloudAuthTitle');
    var title = document.createElement('label');
    title.id = 'acroniscloudAuthTitle';
    title.textContent = TEXT.method;
    el.appendChild(title);
    ['password', 'client'].forEach(function (v) {
      var label = document.createElement('label');
      label.className = 'radio-inline';
      label.style.fontWeight = 'normal';
      label.style.marginRight = '1em';
      var input = document.createElement('input');
      input.type = 'radio';
      input.name = 'acroniscloud_auth';
      input.value = v;
      input.id = 'acroniscloudAuth-' + v;
      input.checked = v === initial;
      label.appendChild(input);
      label.appendChild(document.createTextNode(' ' + TEXT[v]));
      el.appendChild(label);
    });
    var hint = document.createElement('p');
    hint.className = 'help-block acroniscloud-auth-hint';
    hint.textContent = TEXT.hint;
    el.appendChild(hint);
    return {
      el: el,
      hint: hint,
      value: function () {
        var on = el.querySelector('input:checked');
        return on ? on.value : 'password';
      }
    };
  }

  /** A data-center URL becomes its host; https ticks Secure, an explicit port fills an empty Port. */
  function fromUrl(form, host) {
    var raw = host.value.trim();
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return;
    var url;
    try { url = new URL(raw); } catch (e) { return; }
    host.value = url.hostname;
    var secure = form.querySelector('[name="secure"]');
    if (secure && url.protocol === 'https:') secure.checked = true;
    var port = form.querySelector('[name="port"]');
    if (port && url.port && port.value.trim() === '') port.value = url.port;
  }

  function labelOf(form, input) {
    if (input.id) {
      var l = form.querySelector('label[for="' + input.id + '"]');
      if (l) return l;
    }
    var cell = input.closest('td');
    return cell && cell.previousElementSibling ? cell.previousElementSibling : null;
  }

  function rowOf(input) {
    return input.closest('.form-group, tr') || input.parentNode;
  }

  function setText(el, text) {
    if (el && text) el.textContent = text;
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}());
