// "Settings in use": every setting the app runs with and where it came from
// (the organisation's managed file, the user's file, built in, or the demo
// tenant), and which of the user's values the organisation overrides.

import type { SettingOrigin, SettingView, SettingsView } from '../bindings';
import * as api from '../api';
import { errorLine } from '../errorDetail';
import { button, h } from '../dom';
import { cloudName } from '../format';
import { t, type MessageKey } from '../messages';

const KEY_LABELS: Readonly<Record<string, MessageKey>> = {
  cloud: 'settings.key.cloud',
  tenant: 'settings.key.tenant',
  client_id: 'settings.key.client_id',
  authority_host: 'settings.key.authority_host',
  graph_base: 'settings.key.graph_base',
  graph_api: 'settings.key.graph_api',
  scopes: 'settings.key.scopes',
  sign_in_timeout_seconds: 'settings.key.sign_in_timeout_seconds',
  extra_root_certificate: 'settings.key.extra_root_certificate',
  helpdesk: 'settings.key.helpdesk',
  relay_scope: 'settings.key.relay_scope',
  allow_demo_tenant: 'settings.key.allow_demo_tenant',
  account_recovery: 'settings.key.account_recovery',
  language: 'settings.key.language',
};

const ORIGINS: Readonly<Record<SettingOrigin, MessageKey>> = {
  managed: 'settings.origin.managed',
  user: 'settings.origin.user',
  builtIn: 'settings.origin.builtIn',
  demo: 'settings.origin.demo',
};

function keyLabel(key: string): string {
  const label = KEY_LABELS[key];
  return label ? t(label) : key;
}

function valueText(s: SettingView): string {
  if (s.value === null) return t(s.key === 'relay_scope' ? 'settings.relayScope.none' : 'settings.notSet');
  if (s.key === 'cloud') return cloudName(s.value);
  if (s.key === 'helpdesk') {
    return s.detail === 'zendesk'
      ? t('settings.helpdesk.zendesk', { url: s.value })
      : t('settings.helpdesk.relay', { url: s.value });
  }
  if (s.key === 'allow_demo_tenant') return s.value === 'true' ? t('settings.yes') : t('settings.no');
  if (s.key === 'security_info_url' && s.detail === 'unverified') {
    return t('settings.securityInfoUrl.unverified', { url: s.value });
  }
  return s.value;
}

/** A closed disclosure with the files read and a table of every setting. */
export function settingsDisclosure(settings: SettingsView): HTMLElement {
  const files: HTMLElement[] = [];
  // Where the organisation's settings live depends on the platform: a file
  // (Linux), Group Policy (Windows), a configuration profile (macOS).
  const [found, none]: [MessageKey, MessageKey] =
    settings.managedKind === 'groupPolicy'
      ? ['settings.managedFound.groupPolicy', 'settings.managedNone.groupPolicy']
      : settings.managedKind === 'configurationProfile'
        ? ['settings.managedFound.configurationProfile', 'settings.managedNone.configurationProfile']
        : ['settings.managedFound', 'settings.managedNone'];
  if (settings.managedFound) {
    files.push(h('p', { testid: 'settings-managed' }, t(found, { file: settings.managedFile })));
  } else if (settings.managedFile !== '') {
    files.push(h('p', { testid: 'settings-managed' }, t(none, { file: settings.managedFile })));
  }
  if (settings.userFile !== null) {
    files.push(
      h(
        'p',
        { testid: 'settings-user' },
        settings.userFound
          ? t('settings.userFound', { file: settings.userFile })
          : t('settings.userNone', { file: settings.userFile }),
      ),
    );
  }
  const ignored =
    settings.ignored.length > 0
      ? h(
          'p',
          { class: 'message-bar warning', testid: 'settings-ignored', role: 'note' },
          t('settings.ignored', { keys: settings.ignored.map(keyLabel).join(', ') }),
        )
      : null;

  const rows = settings.entries.map((s) =>
    h(
      'tr',
      { testid: 'setting-row', 'data-key': s.key, 'data-origin': s.origin },
      h('th', { scope: 'row' }, keyLabel(s.key), h('span', { class: 'setting-key mono' }, s.key)),
      h('td', { class: s.value === null ? 'muted' : 'mono selectable' }, valueText(s)),
      h('td', { class: `setting-origin origin-${s.origin}` }, t(ORIGINS[s.origin])),
    ),
  );
  return h(
    'details',
    { class: 'disclosure', testid: 'settings-source' },
    h('summary', { testid: 'settings-summary' }, t('settings.disclosure')),
    h(
      'div',
      { class: 'disclosure-body' },
      ...files,
      ignored,
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('settings.disclosure') },
        h(
          'table',
          { class: 'table settings-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('settings.colSetting')),
              h('th', { scope: 'col' }, t('settings.colValue')),
              h('th', { scope: 'col' }, t('settings.colFrom')),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
      diagnosticsBlock(),
    ),
  );
}

/**
 * "Copy diagnostics": the report a helpdesk asks for (versions, settings,
 * journey and outbox state, recent errors; nothing secret). Shown as
 * selectable text too, in case the clipboard is not available.
 */
function diagnosticsBlock(): HTMLElement {
  const status = h('p', { class: 'muted', testid: 'diagnostics-status', role: 'status' });
  // The report is for IT and the helpdesk, in English whatever the window's
  // language (like the log): marked so, so a screen reader reads it as
  // English, and said so above it.
  const note = h('p', { class: 'hint', testid: 'diagnostics-language' }, t('settings.diagnosticsEnglish'));
  const report = h('pre', { class: 'mono selectable diagnostics', testid: 'diagnostics-text', tabindex: '0', lang: 'en', 'aria-describedby': 'diagnostics-language' });
  note.id = 'diagnostics-language';
  note.hidden = true;
  report.hidden = true;
  const copy: HTMLButtonElement = button(
    t('settings.copyDiagnostics'),
    () => {
      copy.disabled = true;
      void api
        .diagnostics()
        .then(async (text) => {
          report.textContent = text;
          report.hidden = false;
          note.hidden = false;
          try {
            await navigator.clipboard.writeText(text);
            status.textContent = t('settings.diagnosticsCopied');
          } catch {
            status.textContent = t('settings.diagnosticsSelect');
          }
        })
        .catch((e: unknown) => {
          status.textContent = errorLine(api.toErrorView(e));
        })
        .finally(() => {
          copy.disabled = false;
        });
    },
    { class: 'btn btn-secondary', testid: 'copy-diagnostics' },
  );
  return h('div', { class: 'diagnostics-block' }, copy, status, note, report);
}
