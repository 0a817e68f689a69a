// Which screen the user is on, and which navigation is the latest. Every
// flow starts a `Visit` when the user asks for something and checks
// `visit.current` after each await: an answer that arrives after the user
// moved on (a slow Graph read, a cancelled sign-in) is dropped instead of
// overwriting the newer screen. The navigator is made once per window by
// `start()` (app.ts); nothing here is module state.

import type { Screen } from './screens/widgets';

/** One navigation. `current` stays true until a newer one begins. */
export interface Visit {
  readonly current: boolean;
}

export class Navigator {
  #generation = 0;
  #screen: Screen | null = null;
  readonly #place: (screen: Screen) => void;

  /** `place` puts a screen's element in the document (the shell's slot). */
  constructor(place: (screen: Screen) => void) {
    this.#place = place;
  }

  /** Begins a navigation: every earlier `Visit` stops being current. */
  begin(): Visit {
    return this.#visit(++this.#generation);
  }

  /** The navigation in progress, without starting a new one (for a step
   * inside a flow that must still yield to a newer navigation). */
  here(): Visit {
    return this.#visit(this.#generation);
  }

  /** Shows `screen`, disposing of the one it replaces (its timers stop). */
  show<S extends Screen>(screen: S): S {
    this.#screen?.dispose?.();
    this.#screen = screen;
    this.#place(screen);
    return screen;
  }

  /** The screen in the document, if any. */
  get screen(): Screen | null {
    return this.#screen;
  }

  /** Whether `screen` is still the one in the document. */
  showing(screen: Screen): boolean {
    return this.#screen === screen;
  }

  #visit(generation: number): Visit {
    // Reads the generation on every access: a Visit is a token, not a copy.
    const nav = this;
    return {
      get current(): boolean {
        return nav.#generation === generation;
      },
    };
  }
}
