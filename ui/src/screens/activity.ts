// The activity log: every change the app made, and its CSV export.

import type { ActivityView, MethodView, SnapshotView } from '../bindings';
import { button, h } from '../dom';
import { formatDateTime, methodChoice } from '../format';
import { icon } from '../icons';
import { t, tn } from '../messages';
import { type Screen, heading, spinner, tOr } from './widgets';

export interface ActivityScreen extends Screen {
  setEntries: (entries: readonly ActivityView[]) => void;
  setExported: (path: string, count: number) => void;
}

function snapshotWords(s: SnapshotView | null, methods: readonly MethodView[]): string {
  if (!s) return t('activity.nothing');
  if (s.kind === 'default') return methodChoice(s.name, methods) ?? s.name ?? '';
  const kind = tOr(`kind.${s.kind}`, s.kind);
  return s.name ? `${kind} (${s.name})` : kind;
}

export function activityScreen(methods: () => readonly MethodView[], on: { back: () => void; export: (b: HTMLButtonElement) => void }): ActivityScreen {
  const title = heading(t('activity.title'), 'activity-title');
  const body = h('div', { class: 'card activity-body', 'aria-busy': 'true' }, h('div', { class: 'loading-box' }, spinner(), h('p', {}, t('activity.loading'))));
  const exportButton: HTMLButtonElement = button(t('activity.export'), () => on.export(exportButton), { class: 'btn btn-secondary', testid: 'export-activity' });
  const exported = h('p', { class: 'export-path', testid: 'export-path', 'aria-live': 'polite' });
  const el = h(
    'section',
    { class: 'screen screen-activity', testid: 'activity-log', 'aria-labelledby': 'activity-title' },
    h('div', { class: 'page-head' }, title, h('p', { class: 'muted' }, t('activity.intro'))),
    body,
    h('div', { class: 'actions' }, exportButton, button(t('changes.back'), on.back, { class: 'btn btn-subtle', testid: 'back-to-info' })),
    exported,
  );
  const setEntries = (entries: readonly ActivityView[]): void => {
    body.removeAttribute('aria-busy');
    if (entries.length === 0) {
      body.replaceChildren(h('p', { class: 'muted', testid: 'activity-empty' }, t('activity.empty')));
      return;
    }
    const rows = entries.map((e) =>
      h(
        'tr',
        { testid: 'activity-entry', 'data-action': e.action },
        h('td', {}, h('time', { datetime: e.time }, formatDateTime(e.time))),
        h('td', {}, tOr(`activity.action.${e.action}`, e.action)),
        h('td', {}, t('activity.change', { before: snapshotWords(e.before, methods()), after: snapshotWords(e.after, methods()) })),
      ),
    );
    body.replaceChildren(
      h(
        'div',
        { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'activity-title' },
        h(
          'table',
          { class: 'table' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('activity.colTime')), h('th', { scope: 'col' }, t('activity.colAction')), h('th', { scope: 'col' }, t('activity.colChange')))),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  };
  const setExported = (path: string, count: number): void => {
    exported.replaceChildren(icon('success', 16), h('span', { class: 'selectable' }, tn('activity.exported', count, { path })));
  };
  return { el, focus: title, setEntries, setExported };
}
