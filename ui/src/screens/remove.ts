// Removing one method: what it is and what removing it means.

import type { MethodView } from '../bindings';
import { button, h } from '../dom';
import { kindName, methodLabel } from '../format';
import { methodIcon } from '../icons';
import { t } from '../messages';
import { type Screen, type StartHandlers, formActions, heading, section } from './widgets';

export function removeScreen(m: MethodView, on: StartHandlers<[id: string]>): Screen {
  const title = heading(t('remove.title', { method: methodLabel(m) }), 'remove-title');
  const start: HTMLButtonElement = button(t('remove.start'), () => on.start(start, m.id), {
    class: 'btn btn-danger',
    testid: 'confirm-remove',
  });
  const el = section(
    'remove-screen',
    'remove-title',
    h('div', { class: 'page-head' }, title),
    h(
      'div',
      { class: 'card' },
      h(
        'div',
        { class: 'method-summary' },
        h('span', { class: `method-icon kind-${m.kind}` }, methodIcon(m.kind)),
        h('div', {}, h('p', { class: 'method-kind' }, kindName(m.kind)), m.name !== '' ? h('p', { class: 'muted' }, m.name) : null),
      ),
      h('p', {}, t('remove.intro')),
      formActions(start, on.cancel),
    ),
  );
  return { el, focus: title };
}
