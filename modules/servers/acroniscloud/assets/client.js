/*
 * Acronis Cyber Cloud — client area of a service (docs/behaviour.md §E.1): Account (login,
 * e-mail, console single sign-on, notifications), Subscription and Usage.
 *
 * Dependency-free on purpose (no CDN, no build step). Data comes only from the module's JSON
 * API (the allowed custom function `ClientAreaApi`, §E.2); the page provides
 * `window.acronis = {serviceId, api, sso, locale, version, token, strings}`.
 */
(function () {
  'use strict';

  const boot = window.acronis || {};
  const STORAGE = { bytes: 1, kilobytes: 1024, megabytes: 1024 ** 2, gigabytes: 1024 ** 3, terabytes: 1024 ** 4 };
  const API_ERRORS = {
    api_internal_server_error: 'Acronis API internal server error.',
    api_forbidden: 'Acronis API forbidden error.',
    api_unauthorized: 'Acronis API unauthorized error.',
    api_bad_request: 'Acronis API bad request error.',
    api_not_found: 'Acronis API not found error.',
    api_conflict: 'Acronis API conflict error.',
    api_connection_problem: 'Acronis API connection problem.',
  };
  const CYCLES = {
    free: 'Free Account', onetime: 'One Time', monthly: 'Monthly', quarterly: 'Quarterly',
    semiannually: 'Semi-Annually', annually: 'Annually', biennially: 'Biennially', triennially: 'Triennially',
  };
  const STATUSES = {
    active: 'Active', pending: 'Pending', suspended: 'Suspended', terminated: 'Terminated',
    cancelled: 'Cancelled', fraud: 'Fraud', completed: 'Completed',
  };

  // ---------------------------------------------------------------- i18n

  /** Every visible string goes through here: English msgid, `{0}` placeholders. */
  function t(msgid, ...args) {
    const strings = boot.strings || {};
    const text = Object.prototype.hasOwnProperty.call(strings, msgid) && strings[msgid] ? strings[msgid] : msgid;
    return text.replace(/\{(\d+)\}/g, (m, i) => (args[i] !== undefined ? String(args[i]) : m));
  }

  const intlLocale = String(boot.locale || 'en').replace('_', '-');
  /** Catalog texts (application titles, offering items, notifications) in the client's language. */
  let catalog = { applications: {}, offering_items: {}, notifications: {} };

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      const code = e.details && e.details.error_code;
      super(API_ERRORS[code] ? t(API_ERRORS[code]) : (e.message || (code ? t('Acronis API unknown error.') : t('Request failed (HTTP {0}).', status))));
      this.status = status;
      this.detail = API_ERRORS[code] && e.message ? e.message : '';
    }
  }

  /** Calls the module API `api=<action>`; POST when a body is given (CSRF token in query and header). */
  async function api(action, query = {}, body) {
    const params = new URLSearchParams({ api: action, ...query });
    const init = { credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.method = 'POST';
      init.headers['Content-Type'] = 'application/json';
      const token = boot.token || (typeof window.csrfToken === 'string' ? window.csrfToken : '');
      init.headers['X-CSRF-Token'] = token;
      params.set('token', token);
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(`${boot.api}&${params}`, init);
    } catch (e) {
      throw new ApiError(0, { error: { details: { error_code: 'api_connection_problem' } } });
    }
    let json = null;
    try { json = await response.json(); } catch (_) { /* HTML error page: keep null */ }
    if (!response.ok || (json && json.error)) throw new ApiError(response.status, json);
    return json;
  }

  // ---------------------------------------------------------------- DOM helpers

  /** h('button', {class: 'x', onclick}, 'text', child…): small element factory. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'checked') el.checked = true;
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function block(id, title) {
    const body = h('div', { class: 'acc-block-body' }, h('p', { class: 'acc-loading' }, t('Loading…')));
    const el = h('section', { class: 'acc-block', id, 'aria-labelledby': `${id}-title` },
      h('h2', { class: 'acc-block-title', id: `${id}-title` }, title), body);
    return { el, body };
  }

  function fill(body, ...children) {
    body.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  }

  function errorBox(message, err) {
    return h('div', { class: 'acc-error', role: 'alert' },
      h('strong', {}, message), ' ', err && err.message ? err.message : '',
      err && err.detail ? h('div', { class: 'acc-error-detail' }, err.detail) : null);
  }

  function row(label, value, key) {
    return h('div', { class: 'acc-row', 'data-field': key },
      h('dt', {}, label), h('dd', {}, value === '' || value === null || value === undefined ? '—' : value));
  }

  // ---------------------------------------------------------------- formatting

  function number(n, digits = 2) {
    try {
      return new Intl.NumberFormat(intlLocale, { maximumFractionDigits: digits }).format(n);
    } catch (_) {
      return String(Math.round(n * 100) / 100);
    }
  }

  /** Usage amount with its unit: storage as MB/GB/TB, counts as plain numbers. */
  function amount(value, unit) {
    const n = Number(value) || 0;
    if (Object.prototype.hasOwnProperty.call(STORAGE, unit)) {
      const bytes = n * STORAGE[unit];
      if (bytes >= 1024 ** 4) return `${number(bytes / 1024 ** 4)} ${t('TB')}`;
      if (bytes >= 1024 ** 3) return `${number(bytes / 1024 ** 3)} ${t('GB')}`;
      return `${number(bytes / 1024 ** 2)} ${t('MB')}`;
    }
    if (unit === 'seconds') return `${number(n / 3600)} ${t('hours')}`;
    return number(n, 0);
  }

  function date(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    try {
      return new Intl.DateTimeFormat(intlLocale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
    } catch (_) {
      return iso.slice(0, 10);
    }
  }

  function money(value, currency) {
    const n = Number(value);
    if (!currency || Number.isNaN(n)) return `${value} ${currency || ''}`.trim();
    try {
      return new Intl.NumberFormat(intlLocale, { style: 'currency', currency }).format(n);
    } catch (_) {
      return `${number(n)} ${currency}`;
    }
  }

  const appTitle = (type) => (catalog.applications[type] && catalog.applications[type].title) || type;
  const noteTitle = (type) => catalog.notifications[type] || type;
  const itemTitle = (name) => catalog.offering_items[name] || name;

  // ---------------------------------------------------------------- Account

  function renderAccount(body, details) {
    const partner = details.tenant_kind === 'partner';
    const consoleLink = h('a', {
      class: 'acc-btn acc-btn-primary', id: 'acc-console', href: boot.sso, target: '_blank', rel: 'noopener',
    }, partner ? t('Go to Management Portal') : t('Go to Cloud Console'));
    const notes = h('div', { class: 'acc-notifications', id: 'acc-notifications' });
    fill(body,
      h('dl', { class: 'acc-list' }, row(t('Login'), details.login, 'login'), row(t('Email'), details.email, 'email')),
      h('div', { class: 'acc-actions' }, consoleLink),
      h('h3', { class: 'acc-subtitle' }, t('Notifications')),
      notes);
    showNotifications(notes, details);
  }

  function showNotifications(box, details) {
    const groups = details.notifications || [];
    const active = groups.flatMap((g) => g.items.filter((i) => i.status === 'active').map((i) => [g.application_type, i.type]));
    const list = active.length === 0
      ? h('p', { class: 'acc-muted', id: 'acc-notifications-none' }, t('All notifications disabled.'))
      : groups.filter((g) => g.items.some((i) => i.status === 'active')).map((g) => h('div', { class: 'acc-note-group' },
        h('h4', {}, appTitle(g.application_type)),
        h('ul', { class: 'acc-note-list' }, g.items.filter((i) => i.status === 'active')
          .map((i) => h('li', { 'data-type': i.type }, noteTitle(i.type))))));
    const edit = groups.length > 0
      ? h('button', { type: 'button', class: 'acc-btn', id: 'acc-notifications-edit', onclick: () => editNotifications(box, details) }, t('Edit notifications'))
      : null;
    fill(box, list, edit);
  }

  function editNotifications(box, details) {
    const groups = details.notifications.map((g) => ({
      application_type: g.application_type,
      items: g.items.map((i) => ({ type: i.type, status: i.status })),
    }));
    const message = h('div', { class: 'acc-form-message', 'aria-live': 'polite' });
    const form = h('form', { class: 'acc-note-form', id: 'acc-notifications-form' },
      groups.map((g) => h('fieldset', { class: 'acc-note-group' },
        h('legend', {}, appTitle(g.application_type)),
        g.items.map((i) => {
          const id = `acc-note-${g.application_type}-${i.type}`;
          return h('label', { class: 'acc-check', for: id },
            h('input', { type: 'checkbox', id, name: i.type, checked: i.status === 'active',
              onchange: (e) => { i.status = e.target.checked ? 'active' : 'inactive'; } }),
            ' ', noteTitle(i.type));
        }))),
      message,
      h('div', { class: 'acc-actions' },
        h('button', { type: 'submit', class: 'acc-btn acc-btn-primary', id: 'acc-notifications-done' }, t('Done')),
        h('button', { type: 'button', class: 'acc-btn', id: 'acc-notifications-cancel', onclick: () => showNotifications(box, details) }, t('Cancel'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      form.querySelectorAll('button, input').forEach((b) => { b.disabled = true; });
      try {
        const updated = await api('update_details', { id: boot.serviceId, version: details.version }, { notifications: groups });
        Object.assign(details, updated);
        showNotifications(box, details);
      } catch (err) {
        form.querySelectorAll('button, input').forEach((b) => { b.disabled = false; });
        fill(message, errorBox(t('Cannot save changes.'), err));
      }
    });
    fill(box, form);
  }

  // ---------------------------------------------------------------- Subscription

  function renderSubscription(body, s) {
    fill(body, h('dl', { class: 'acc-list' },
      row(t('Product'), s.name, 'name'),
      row(t('Status'), STATUSES[s.status] ? t(STATUSES[s.status]) : s.status, 'status'),
      row(t('Registration date'), date(s.registration_date), 'registration_date'),
      row(t('Next due date'), date(s.due_date), 'due_date'),
      row(t('Billing cycle'), CYCLES[s.billing_cycle] ? t(CYCLES[s.billing_cycle]) : s.billing_cycle, 'billing_cycle'),
      row(t('Recurring amount'), money(s.billing_amount, s.billing_currency), 'billing_amount'),
      row(t('Payment method'), s.payment_method, 'payment_method')));
  }

  // ---------------------------------------------------------------- Usage

  /** Resource types of the catalog in the order the page shows them (docs/behaviour.md §E.1). */
  const RESOURCE_GROUPS = { data: 'Data sources', local: 'Local backup', cloud: 'Cloud resources' };

  /** The items of one application split by resource type; items without one come last, untitled. */
  function byResourceType(items) {
    const known = Object.entries(RESOURCE_GROUPS)
      .map(([type, title]) => ({ type, title, items: items.filter((i) => i.resource_type === type) }));
    const other = items.filter((i) => !Object.hasOwn(RESOURCE_GROUPS, i.resource_type || ''));
    return known.concat([{ type: 'other', title: null, items: other }]).filter((g) => g.items.length);
  }

  function renderUsage(body, groups) {
    if (!groups.length) {
      fill(body, h('p', { class: 'acc-muted' }, t('No usage reported yet.')));
      return;
    }
    fill(body, groups.map((g) => h('div', { class: 'acc-usage-app', 'data-application': g.application_type },
      h('h3', { class: 'acc-subtitle' }, appTitle(g.application_type)),
      byResourceType(g.offering_items).map((r) => h('div', { class: 'acc-usage-resource', 'data-resource-type': r.type },
        r.title ? h('h4', { class: 'acc-usage-resource-title' }, t(r.title)) : null,
        usageList(r.items))))));
  }

  function usageList(items) {
    return h('ul', { class: 'acc-usage-list' }, items.map((i) => {
      const used = amount(i.usage_value, i.measurement_unit);
      const limited = i.quota_value !== null && i.quota_value !== undefined;
      const text = limited ? t('{0} used of {1}', used, amount(i.quota_value, i.measurement_unit)) : t('{0} used', used);
      const pct = limited && Number(i.quota_value) > 0 ? Math.min(100, (Number(i.usage_value) / Number(i.quota_value)) * 100) : 0;
      return h('li', { class: 'acc-usage-item', 'data-item': i.name },
        h('span', { class: 'acc-usage-name' }, itemTitle(i.name)),
        h('span', { class: 'acc-usage-value' }, text),
        limited ? h('span', { class: `acc-meter${pct >= 90 ? ' acc-meter-high' : ''}`, role: 'presentation' },
          h('span', { class: 'acc-meter-fill', style: `width:${pct.toFixed(1)}%` })) : null);
    }));
  }

  // ---------------------------------------------------------------- Refresh now

  /**
   * The usage block with a "Refresh now" button: the platform's live usages again (POST with
   * the page's CSRF token); the module allows one refresh per service per minute and a refused
   * one says from when the next is possible.
   */
  function usageWithRefresh(body) {
    const list = h('div', { class: 'acc-usage-body' }, h('p', { class: 'acc-loading' }, t('Loading…')));
    const status = h('span', { class: 'acc-muted', id: 'acc-usage-refresh-status', 'aria-live': 'polite' });
    const button = h('button', { type: 'button', class: 'acc-btn', id: 'acc-usage-refresh' }, t('Refresh now'));
    button.addEventListener('click', async () => {
      button.disabled = true;
      fill(status, t('Loading…'));
      try {
        const r = await api('refresh_usages', { id: boot.serviceId }, {});
        renderUsage(list, r.usages || []);
        fill(status, t('Updated at {0} UTC. Next refresh possible at {1} UTC.', r.refreshed_at, r.next_refresh_at));
      } catch (err) {
        fill(status, errorBox(t('Cannot refresh usage.'), err));
      } finally {
        button.disabled = false;
      }
    });
    fill(body, h('div', { class: 'acc-usage-refresh' }, button, status), list);
    return list;
  }

  // ---------------------------------------------------------------- Usage history

  /**
   * The server-rendered history block (#acc-history): its 30/90-day links work without script;
   * with script they ask `usage_history` for the block's new markup instead of reloading the
   * page. The table view is a native <details>, so it needs no script at all.
   */
  function enhanceHistory() {
    const box = document.getElementById('acc-usage-history');
    if (!box) return;
    box.addEventListener('click', async (e) => {
      const link = e.target.closest('a.acc-history-days');
      if (!link || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      const days = link.getAttribute('data-days');
      box.setAttribute('aria-busy', 'true');
      try {
        const r = await api('usage_history', { id: boot.serviceId, days, html: 1 });
        const section = box.querySelector('#acc-history');
        const tpl = document.createElement('template');
        tpl.innerHTML = r.html;
        if (section && tpl.content.firstElementChild) section.replaceWith(tpl.content.firstElementChild);
        const current = box.querySelector(`a.acc-history-days[data-days="${days}"]`);
        if (current) current.focus();
        if (window.history && window.history.replaceState) window.history.replaceState(null, '', link.href);
      } catch (err) {
        const section = box.querySelector('#acc-history');
        if (section) section.prepend(errorBox(t('Cannot load usage history.'), err));
      } finally {
        box.removeAttribute('aria-busy');
      }
    });
  }

  // ---------------------------------------------------------------- start

  async function load(body, action, message, render) {
    try {
      render(body, await api(action, { id: boot.serviceId }));
    } catch (err) {
      fill(body, errorBox(message, err));
    }
  }

  async function start() {
    enhanceHistory();
    const root = document.getElementById('acroniscloud-client');
    if (!root) return;
    const account = block('acc-account', t('Account'));
    const subscription = block('acc-subscription', t('Subscription'));
    const usage = block('acc-usage', t('Usage'));
    root.replaceChildren(h('div', { class: 'acc-grid' }, account.el, subscription.el, usage.el));
    try {
      catalog = await api('l10n', { id: boot.serviceId });
    } catch (err) {
      root.prepend(errorBox(t('Cannot load translations.'), err));
    }
    await Promise.all([
      load(account.body, 'get_details', t('Cannot load client information.'), renderAccount),
      load(subscription.body, 'get_subscription', t('Cannot load subscription.'), renderSubscription),
      load(usageWithRefresh(usage.body), 'get_usages', t('Cannot load usage.'), renderUsage),
    ]);
    root.setAttribute('data-ready', '1');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}());
