// The first screen, while app_info and the stored session are read.

import { h } from '../dom';
import { t } from '../messages';
import { type Screen, heading, spinner } from './widgets';

export function loadingScreen(): Screen {
  const title = heading(t('app.title'), 'loading-title');
  title.classList.add('visually-hidden');
  const el = h(
    'section',
    { class: 'screen screen-loading', testid: 'screen-loading', 'aria-labelledby': 'loading-title', 'aria-busy': 'true' },
    title,
    h('div', { class: 'loading-box' }, spinner(true), h('p', { class: 'loading-text' }, t('loading.text'))),
  );
  return { el, focus: title };
}
