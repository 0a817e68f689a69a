// The entry point. The window's language is fixed first, once: Rust says
// which (the user's choice, the system's, `navigator.languages`), its
// catalogue is loaded (its own chunk; English is built in), and only then
// does the app start. Choosing another language reloads the window.

import { uiLanguage } from './api';
import type { LanguageView } from './bindings';
import { start } from './app';
import { LANGUAGES, languageInfo, loadCatalogue, type Language } from './language';
import { en, t, useLanguage } from './messages';

async function main(root: HTMLElement): Promise<void> {
  let view: LanguageView | undefined;
  try {
    // At most 16 well-formed tags: Rust refuses anything else, and a
    // webview's odd entry must not cost the user their language.
    const webview = (navigator.languages ?? []).filter((l) => /^[A-Za-z0-9-]{1,35}$/.test(l)).slice(0, 16);
    view = await uiLanguage(webview);
  } catch {
    // No answer: English, and no menu (nothing could remember a choice).
  }
  const known = LANGUAGES.find((l) => l.tag === view?.language);
  const info = languageInfo(known ? (view?.language as Language) : 'en');
  useLanguage(info.tag, await loadCatalogue(info.tag, en));
  document.documentElement.lang = info.pseudo ? 'en' : info.tag;
  document.documentElement.dir = info.dir;
  document.title = t('app.title');
  await start(root, view);
}

const root = document.getElementById('app');
if (root) void main(root);
