//! The UI's `ui/src/bindings.ts` is generated from the Rust wire types. This
//! test fails when the committed file differs from what the types say;
//! `UPDATE_BINDINGS=1 cargo test --test bindings` rewrites it.

use helpdesk_contract::{CallbackPreference, Reason, StillHas};
use mfa_assistant::input::*;
use mfa_assistant::wire::*;
use ts_rs::TS;

fn generated() -> String {
    let decls = [
        AppInfo::decl(),
        TenantView::decl(),
        KnownAccountView::decl(),
        LanguageView::decl(),
        SettingsView::decl(),
        ManagedKindView::decl(),
        SettingView::decl(),
        SettingOrigin::decl(),
        DemoUserView::decl(),
        SessionView::decl(),
        DeviceCodeView::decl(),
        SignOutView::decl(),
        SecurityInfoView::decl(),
        AccountView::decl(),
        MethodView::decl(),
        TokenView::decl(),
        ManagedBy::decl(),
        AuthenticatorPasskeyView::decl(),
        MethodKind::decl(),
        DefaultMethodView::decl(),
        AskedView::decl(),
        HealthView::decl(),
        DeviceView::decl(),
        EndingView::decl(),
        SamePhoneQuestionView::decl(),
        LostPhoneView::decl(),
        JourneyView::decl(),
        JourneyStepView::decl(),
        StepState::decl(),
        WaitingView::decl(),
        ConcernView::decl(),
        ActivityView::decl(),
        SnapshotView::decl(),
        ExportView::decl(),
        ResetPreviewView::decl(),
        DeviceProofView::decl(),
        ResetRequestView::decl(),
        ResetStatusView::decl(),
        DeliveryProblemView::decl(),
        ErrorView::decl(),
        ErrorDetail::decl(),
        SignInProblem::decl(),
        RefusalReason::decl(),
        PhoneProblem::decl(),
        FormProblem::decl(),
        ErrorCode::decl(),
        // What the webview sends (input.rs).
        PhoneTypeInput::decl(),
        DefaultChoiceInput::decl(),
        RegistrationInput::decl(),
        AnswerInput::decl(),
        LanguageInput::decl(),
        ResetFormInput::decl(),
        Reason::decl(),
        StillHas::decl(),
        CallbackPreference::decl(),
    ];
    let mut out = String::from(
        "// Generated from src-tauri/wire.rs by tests/bindings.rs. Do not edit:\n\
         // run `UPDATE_BINDINGS=1 cargo test --test bindings` after changing the Rust types.\n\n",
    );
    for decl in decls {
        out.push_str("export ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

#[test]
fn ui_bindings_match_the_rust_wire_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings.ts");
    let want = generated();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "ui/src/bindings.ts is stale; run `UPDATE_BINDINGS=1 cargo test --test bindings`.\n--- generated ---\n{want}"
    );
}
