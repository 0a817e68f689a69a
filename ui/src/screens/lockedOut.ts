// The locked-out block on the sign-in screen: "I can't sign in", "I have a
// Temporary Access Pass", and the requests sent from this computer.

import type { ResetStatusView } from '../bindings';
import { button, h } from '../dom';
import { formatDateTime } from '../format';
import { icon } from '../icons';
import { t, tIf } from '../messages';

export interface LockedOutHandlers {
  cantSignIn: () => void;
  haveTap: () => void;
  showRequest: (r: ResetStatusView) => void;
}

/** "I can't sign in", "I have a Temporary Access Pass", and the request list (filled later). */
export function lockedOutBlock(on: LockedOutHandlers): { el: HTMLElement; setRequests: (list: readonly ResetStatusView[]) => void } {
  const list = h('div', { class: 'reset-list-slot' });
  const el = h(
    'div',
    { class: 'locked-out' },
    h(
      'div',
      { class: 'actions' },
      button(t('locked.cantSignIn'), on.cantSignIn, { class: 'btn btn-link', testid: 'cant-sign-in' }, icon('warning', 16)),
      button(t('locked.haveTap'), on.haveTap, { class: 'btn btn-link', testid: 'have-tap' }, icon('open', 16)),
    ),
    list,
  );
  const setRequests = (requests: readonly ResetStatusView[]): void => {
    if (requests.length === 0) {
      list.replaceChildren();
      return;
    }
    list.replaceChildren(
      h(
        'section',
        { class: 'card reset-requests', testid: 'reset-requests', 'aria-labelledby': 'reset-requests-title' },
        h('h2', { id: 'reset-requests-title' }, t('reset.listTitle')),
        h(
          'ul',
          { class: 'reset-list' },
          ...requests.map((r) =>
            h(
              'li',
              { class: 'reset-item', testid: 'reset-request', 'data-status': r.status, 'data-key': r.key },
              h(
                'div',
                { class: 'reset-item-main' },
                h('span', {}, t('reset.listItem', { upn: r.upn, date: formatDateTime(r.createdAt) })),
                statusBadge(r),
              ),
              button(t('reset.show'), () => on.showRequest(r), { class: 'btn btn-secondary btn-small', testid: 'show-reset-request' }),
            ),
          ),
        ),
      ),
    );
  };
  return { el, setRequests };
}

function statusBadge(r: ResetStatusView): HTMLElement {
  const tone = r.status === 'delivered' ? 'badge-success' : r.status === 'refused' ? 'badge-danger' : 'badge-neutral';
  const label = tIf(`reset.status.${r.status}`) ?? r.status;
  return h(
    'span',
    { class: `badge ${tone}`, testid: 'reset-status', 'data-status': r.status },
    r.status === 'delivered' && r.ticketNumber ? `${label} · ${r.ticketNumber}` : label,
  );
}
