// Choosing the window's language: remember the choice (Rust keeps it in an
// owner-only file), then reload the window, which starts again in the new
// language (main.ts fixes the language once, before start()). A journey in
// progress is kept by Rust and offered again after the reload.

import * as api from '../api';
import type { LanguageInput } from '../bindings';
import type { App } from '../context';

export async function chooseLanguage(app: App, choice: LanguageInput, reload: () => void): Promise<void> {
  try {
    await api.chooseLanguage(choice);
  } catch (e) {
    app.shell.showError(api.toErrorView(e));
    return;
  }
  reload();
}
