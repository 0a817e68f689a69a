// What every flow is given: the window's shell and navigator, what the app
// remembers while it runs, and the routes between flows. One `App` is made
// by `start()` (app.ts) per window; flows receive it as their first argument
// instead of reaching for module state, and reach each other through `go`,
// so no flow module imports another.

import type { ResetForm } from './api';
import type {
  AppInfo,
  ErrorView,
  JourneyView,
  MethodView,
  Reason,
  ResetStatusView,
  SecurityInfoView,
} from './bindings';
import type { Navigator } from './navigator';
import type { Shell } from './shell';

export interface App {
  readonly shell: Shell;
  readonly nav: Navigator;
  readonly memory: Memory;
  readonly go: Routes;
}

/** Ways from one flow to another (wired in app.ts). */
export interface Routes {
  /** The sign-in screen, with the locked-out block and its requests. */
  signIn(): void;
  /** Sign-in is needed again: the sign-in screen with the error and the ways to sign in. */
  signInNeeded(err: ErrorView): void;
  browserSignIn(withTap?: boolean): Promise<void>;
  deviceCodeSignIn(reason?: ErrorView): Promise<void>;
  /** After sign-in: an unfinished change where it stopped, else the Security Info. */
  securityInfo(upn: string): Promise<void>;
  /** The Security Info screen, read afresh. */
  infoScreen(): Promise<void>;
  /** Starts a journey from a form; its answer is the journey screen. */
  startJourney(
    b: HTMLButtonElement | null,
    run: () => Promise<JourneyView>,
    handle?: (err: ErrorView) => boolean,
  ): Promise<void>;
  triage(reason: Reason | null): void;
  tap(): void;
  sent(status: ResetStatusView): void;
  /** After a Temporary Access Pass sign-in: straight into "get to three". */
  getToThree(upn: string): Promise<void>;
  /** The pass ran out before the account had three: what is left. */
  passEnded(): void;
  /** A recovery is over (three, stopped or signed out): the bar goes. */
  endRecovery(): void;
}

/** A recovery after a Temporary Access Pass sign-in, until it has three. */
export interface Recovery {
  /** Independent ways to sign in when the last registration started. */
  readonly independent: number;
  readonly need: number;
  /** When the pass stops working (RFC 3339), if Graph said. */
  readonly passEnds: string | null;
}

/** What the app remembers while it runs (never written anywhere). */
export class Memory {
  /** app_info's answer, once it came. */
  info: AppInfo | null = null;
  /** The signed-in account. */
  upn = '';
  /** The reset form as last filled in, so "Change something" and Back keep the answers. */
  resetDraft: ResetForm | null = null;
  /** Set while a pass sign-in works its way back to three. */
  recovery: Recovery | null = null;
  #lastInfo: SecurityInfoView | null = null;
  readonly #seen = new Map<string, MethodView>();

  /** Keeps a Security Info read for naming methods on journey screens. */
  remember(data: SecurityInfoView): SecurityInfoView {
    this.#lastInfo = data;
    for (const m of data.methods) this.#seen.set(m.id, m);
    return data;
  }

  /** The last Security Info read, if any. */
  lastInfo(): SecurityInfoView | null {
    return this.#lastInfo;
  }

  /** The last read's methods, then every other method seen since start-up,
   * so a removed one keeps its name on the summary. */
  knownMethods(): readonly MethodView[] {
    const now = this.#lastInfo?.methods ?? [];
    return [...now, ...Array.from(this.#seen.values()).filter((m) => !now.some((x) => x.id === m.id))];
  }
}
