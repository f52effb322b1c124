/*
 * Adopt form of the admin service tab (Acronis Cyber Cloud, issue 13). Dependency-free: it
 * searches tenants with the addon's `adopt_search` action and posts `adopt_tenant` with the
 * session's CSRF token; the answer (plan or error) is shown in the form's status region.
 */
(function () {
    'use strict';

    function text(el, value) {
        el.textContent = value;
    }

    function call(form, method, action, query, body) {
        var url = form.getAttribute('data-api') + '&action=' + encodeURIComponent(action) +
            '&service_id=' + encodeURIComponent(form.getAttribute('data-service-id'));
        Object.keys(query || {}).forEach(function (k) {
            url += '&' + encodeURIComponent(k) + '=' + encodeURIComponent(query[k]);
        });
        var init = {method: method, credentials: 'same-origin', headers: {'Accept': 'application/json'}};
        if (body) {
            init.headers['Content-Type'] = 'application/json';
            init.headers['X-CSRF-Token'] = form.getAttribute('data-token');
            init.body = JSON.stringify(body);
        }
        return fetch(url, init).then(function (r) {
            return r.json().then(function (json) {
                return {ok: r.ok, json: json};
            });
        });
    }

    function show(form, answer) {
        var out = form.querySelector('.acroniscloud-adopt-result');
        var pre = document.createElement('pre');
        var ok = answer.ok;
        out.className = 'acroniscloud-adopt-result alert ' + (ok ? 'alert-success' : 'alert-danger');
        if (ok && Array.isArray(answer.json.summary)) {
            // The plan in the admin's language (the extension words it); the JSON is for scripts.
            var list = document.createElement('ul');
            answer.json.summary.forEach(function (line) {
                var li = document.createElement('li');
                text(li, line);
                list.appendChild(li);
            });
            out.replaceChildren(list);
            return;
        }
        if (ok) {
            text(pre, JSON.stringify(answer.json, null, 2));
        } else {
            text(pre, (answer.json && answer.json.error && answer.json.error.message) || 'Error');
        }
        out.replaceChildren(pre);
    }

    function search(form) {
        var q = form.querySelector('input[name=q]').value;
        call(form, 'GET', 'adopt_search', {q: q}).then(function (answer) {
            var select = form.querySelector('select[name=tenant_id]');
            select.replaceChildren();
            if (!answer.ok) {
                show(form, answer);
                return;
            }
            var tenants = answer.json.tenants || [];
            if (tenants.length === 0) {
                var none = document.createElement('option');
                none.value = '';
                text(none, form.getAttribute('data-none'));
                select.appendChild(none);
            }
            tenants.forEach(function (t) {
                var o = document.createElement('option');
                o.value = t.id;
                text(o, t.name + ' (' + t.kind + ', ' + t.id + ')' + (t.service_id ? ' #' + t.service_id : ''));
                select.appendChild(o);
            });
            select.focus();
        });
    }

    function adopt(form) {
        call(form, 'POST', 'adopt_tenant', {}, {
            tenant_id: form.querySelector('select[name=tenant_id]').value,
            user_id: form.querySelector('input[name=user_id]').value,
            dry_run: form.querySelector('input[name=dry_run]').checked
        }).then(function (answer) {
            show(form, answer);
            if (answer.ok && !answer.json.dry_run) {
                window.location.reload();
            }
        });
    }

    function init(form) {
        if (form.getAttribute('data-ready')) {
            return;
        }
        form.setAttribute('data-ready', '1');
        form.querySelector('[data-adopt=search]').addEventListener('click', function () { search(form); });
        form.querySelector('[data-adopt=adopt]').addEventListener('click', function () { adopt(form); });
        form.querySelector('input[name=q]').addEventListener('keydown', function (e) {
            if (e.key === 'Enter') {
                e.preventDefault();
                search(form);
            }
        });
    }

    document.querySelectorAll('form.acroniscloud-adopt').forEach(init);
}());
