//! The ticket a helpdesk agent reads, in the relay's words. The relay (and
//! the tenant emulator's stand-in) write every ticket with this module.
//!
//! Invariants:
//! - the subject starts with the request id and the relay's verdict, so a
//!   helpdesk that cuts subjects (ServiceNow's short description keeps 160
//!   characters) still shows both;
//! - every line the relay writes starts with one of the relay's labels;
//!   everything the requester typed sits after a label that says so, as a
//!   quoted JSON string on that one line (the contract refuses line breaks
//!   and other control characters in typed text), so no typed text can pass
//!   for a relay line;
//! - the runbook is the relay's, from its configuration; a runbook a
//!   version 1 request carried is never shown, and the ticket says it was
//!   ignored;
//! - every sentence is in the ticket's language ([`TicketWords`]): the
//!   relay hands over values (the device proof's [`UnverifiedReason`],
//!   the [`OwnerNotice`]), never its own prose, and each template is filled
//!   in one pass ([`fill`]), so a value is never expanded again.
//!
//! [`UnverifiedReason`]: crate::device_proof::UnverifiedReason

use std::borrow::Cow;

use crate::device_proof::{DeviceProof, DeviceProofKind};
use crate::owner_notice::OwnerNotice;
use crate::request::ResetRequest;
use crate::typed::quoted;
use time::format_description::well_known::Rfc3339;

/// The admin steps a ticket carries when the relay's configuration names
/// none: Microsoft's guidance for a locked-out user
/// (`peers-and-helpdesks.md` §B.8, `domain.md`).
pub const DEFAULT_RUNBOOK: [&str; 8] = [
    "This request is UNAUTHENTICATED: anyone could have sent it. Do not act on it until identity is verified.",
    "Verify identity out of band: call the user back on the number in the company directory (never a number given in the request), or confirm with their manager. Ask for the verification phrase shown on the user's screen; it must match this ticket.",
    "Use the least-privileged role: Authentication Administrator for standard users; Privileged Authentication Administrator if the user holds an admin role.",
    "Prefer a Temporary Access Pass (Entra admin center > Users > the user > Authentication methods > Add authentication method > Temporary Access Pass) over deleting every method. Deliver it on the verified call, never by email to the locked mailbox.",
    "Only if methods must go (lost or compromised device): delete those methods, or Require re-register multifactor authentication.",
    "Revoke the user's sign-in sessions (Revoke sessions, or Graph revokeSignInSessions) so stale tokens do not cause MFA loops.",
    "Delete the user's app passwords if any exist; legacy apps using them will need new ones.",
    "Tell the user before you act: Outlook, Teams and other apps will sign them out and ask them to sign in again; they should then register at least three methods.",
];

/// The default runbook in each language the app speaks, for a relay whose
/// `[ticket] language` is one of them and whose configuration writes no
/// runbook of its own. The same steps are the UI catalogues'
/// `reset.runbook.1`…`8`, which the app shows the user in the window's
/// language (the app's `tests/loopback_words.rs` checks they match).
pub const DEFAULT_RUNBOOKS: [(&str, [&str; 8]); 7] = [
    ("en", DEFAULT_RUNBOOK),
    (
        "de",
        [
            "Diese Anfrage ist NICHT AUTHENTIFIZIERT: Jeder könnte sie gesendet haben. Handeln Sie erst, wenn die Identität geprüft ist.",
            "Prüfen Sie die Identität auf einem anderen Weg: Rufen Sie die Person unter der Nummer im Firmenverzeichnis zurück (nie unter einer Nummer aus der Anfrage), oder lassen Sie sie von ihrer Führungskraft bestätigen. Fragen Sie nach dem Bestätigungssatz auf ihrem Bildschirm; er muss mit diesem Ticket übereinstimmen.",
            "Verwenden Sie die Rolle mit den geringsten Rechten: Authentifizierungsadministrator für normale Benutzer; Privilegierter Authentifizierungsadministrator, wenn der Benutzer eine Administratorrolle hat.",
            "Geben Sie lieber einen befristeten Zugriffspass aus (Microsoft Entra Admin Center > Benutzer > der Benutzer > Authentifizierungsmethoden > Authentifizierungsmethode hinzufügen > Befristeter Zugriffspass), statt alle Methoden zu löschen. Übermitteln Sie ihn im bestätigten Anruf, nie per E-Mail an das gesperrte Postfach.",
            "Nur wenn Methoden wegmüssen (verlorenes oder kompromittiertes Gerät): Löschen Sie diese Methoden, oder verlangen Sie die erneute Registrierung für die mehrstufige Authentifizierung.",
            "Widerrufen Sie die Anmeldesitzungen des Benutzers (Sitzungen widerrufen, oder Graph revokeSignInSessions), damit veraltete Token keine MFA-Schleifen verursachen.",
            "Löschen Sie die App-Kennwörter des Benutzers, falls vorhanden; ältere Apps, die sie verwenden, brauchen dann neue.",
            "Sagen Sie es dem Benutzer, bevor Sie handeln: Outlook, Teams und andere Apps melden ihn ab und fordern eine neue Anmeldung; danach sollte er mindestens drei Methoden registrieren.",
        ],
    ),
    (
        "fr",
        [
            "Cette demande n’est PAS AUTHENTIFIÉE\u{a0}: n’importe qui a pu l’envoyer. N’agissez pas avant d’avoir vérifié l’identité.",
            "Vérifiez l’identité par un autre canal\u{a0}: rappelez l’utilisateur au numéro de l’annuaire de l’entreprise (jamais à un numéro donné dans la demande), ou faites-la confirmer par son responsable. Demandez la phrase de vérification affichée sur son écran\u{202f}; elle doit correspondre à ce ticket.",
            "Utilisez le rôle le moins privilégié\u{a0}: Administrateur d’authentification pour les utilisateurs standard\u{202f}; Administrateur d’authentification privilégié si l’utilisateur a un rôle d’administrateur.",
            "Préférez un Passe d’accès temporaire (Centre d’administration Microsoft Entra > Utilisateurs > l’utilisateur > Méthodes d’authentification > Ajouter une méthode d’authentification > Passe d’accès temporaire) à la suppression de toutes les méthodes. Remettez-le pendant l’appel vérifié, jamais par e-mail vers la boîte aux lettres bloquée.",
            "Seulement si des méthodes doivent disparaître (appareil perdu ou compromis)\u{a0}: supprimez ces méthodes, ou exigez un nouvel enregistrement de l’authentification multifacteur.",
            "Révoquez les sessions de connexion de l’utilisateur (Révoquer les sessions, ou Graph revokeSignInSessions) pour que d’anciens jetons ne provoquent pas de boucles MFA.",
            "Supprimez les mots de passe d’application de l’utilisateur s’il en a\u{202f}; les anciennes applications qui les utilisent en demanderont de nouveaux.",
            "Prévenez l’utilisateur avant d’agir\u{a0}: Outlook, Teams et d’autres applications le déconnecteront et lui demanderont de se reconnecter\u{202f}; il devra ensuite enregistrer au moins trois méthodes.",
        ],
    ),
    (
        "es",
        [
            "Esta solicitud NO ESTÁ AUTENTICADA: cualquiera podría haberla enviado. No actúe hasta haber verificado la identidad.",
            "Verifique la identidad por otro canal: devuelva la llamada al usuario al número del directorio de la empresa (nunca a un número dado en la solicitud), o confírmela con su responsable. Pida la frase de verificación que aparece en su pantalla; debe coincidir con esta incidencia.",
            "Use el rol con menos privilegios: Administrador de autenticación para usuarios estándar; Administrador de autenticación con privilegios si el usuario tiene un rol de administrador.",
            "Prefiera un Pase de acceso temporal (Centro de administración de Microsoft Entra > Usuarios > el usuario > Métodos de autenticación > Agregar método de autenticación > Pase de acceso temporal) a eliminar todos los métodos. Entréguelo en la llamada verificada, nunca por correo al buzón bloqueado.",
            "Solo si hay que quitar métodos (dispositivo perdido o comprometido): elimine esos métodos, o exija volver a registrar la autenticación multifactor.",
            "Revoque las sesiones de inicio de sesión del usuario (Revocar sesiones, o Graph revokeSignInSessions) para que los tokens antiguos no provoquen bucles de MFA.",
            "Elimine las contraseñas de aplicación del usuario si las tiene; las aplicaciones antiguas que las usan necesitarán otras nuevas.",
            "Avise al usuario antes de actuar: Outlook, Teams y otras aplicaciones cerrarán su sesión y le pedirán que vuelva a iniciarla; después debería registrar al menos tres métodos.",
        ],
    ),
    (
        "ja",
        [
            "この依頼は認証されていません。誰でも送信できたものです。本人確認が済むまで対応しないでください。",
            "別の経路で本人確認をしてください。社内ディレクトリの番号に折り返し電話する (依頼に書かれた番号には決してかけない) か、上司に確認します。ユーザーの画面に表示された確認フレーズを尋ね、このチケットと一致することを確かめてください。",
            "最小限の権限のロールを使ってください。一般ユーザーには認証管理者、管理者ロールを持つユーザーには特権認証管理者を使います。",
            "すべての方法を削除するより、一時アクセス パスの発行を優先してください (Microsoft Entra 管理センター > ユーザー > 対象ユーザー > 認証方法 > 認証方法の追加 > 一時アクセス パス)。パスは確認済みの電話で伝え、ロックされたメールボックスにメールで送らないでください。",
            "方法を削除する必要がある場合 (デバイスの紛失や侵害) のみ、その方法を削除するか、多要素認証の再登録を要求してください。",
            "古いトークンによる MFA のループを防ぐため、ユーザーのサインイン セッションを取り消してください (セッションの取り消し、または Graph の revokeSignInSessions)。",
            "ユーザーにアプリ パスワードがあれば削除してください。それを使う古いアプリには新しいパスワードが必要になります。",
            "対応する前にユーザーに伝えてください。Outlook、Teams などのアプリからサインアウトされ、もう一度サインインを求められます。その後、少なくとも 3 つの方法を登録するよう案内してください。",
        ],
    ),
    (
        "pt-BR",
        [
            "Este pedido NÃO É AUTENTICADO: qualquer pessoa pode tê-lo enviado. Não aja antes de verificar a identidade.",
            "Verifique a identidade por outro canal: ligue de volta para o usuário no número do diretório da empresa (nunca para um número informado no pedido), ou confirme com o gestor dele. Peça a frase de verificação exibida na tela do usuário; ela deve corresponder a este chamado.",
            "Use a função com menos privilégios: Administrador de Autenticação para usuários comuns; Administrador de Autenticação Privilegiada se o usuário tiver uma função de administrador.",
            "Prefira um Passe de Acesso Temporário (Centro de administração do Microsoft Entra > Usuários > o usuário > Métodos de autenticação > Adicionar método de autenticação > Passe de Acesso Temporário) a excluir todos os métodos. Entregue-o na ligação verificada, nunca por email para a caixa de correio bloqueada.",
            "Somente se for preciso remover métodos (dispositivo perdido ou comprometido): exclua esses métodos, ou exija um novo registro da autenticação multifator.",
            "Revogue as sessões de entrada do usuário (Revogar sessões, ou Graph revokeSignInSessions) para que tokens antigos não causem loops de MFA.",
            "Exclua as senhas de aplicativo do usuário, se houver; aplicativos antigos que as usam precisarão de novas.",
            "Avise o usuário antes de agir: o Outlook, o Teams e outros aplicativos vão desconectá-lo e pedir que entre novamente; depois ele deve registrar pelo menos três métodos.",
        ],
    ),
    (
        "zh-Hans",
        [
            "此请求未经身份验证: 任何人都可能发送了它。在核实身份之前不要采取任何操作。",
            "通过其他渠道核实身份: 拨打公司通讯录中的号码回电给用户（切勿使用请求中提供的号码），或通过其经理确认。询问用户屏幕上显示的验证短语；它必须与此工单一致。",
            "使用权限最低的角色: 普通用户使用身份验证管理员；如果用户拥有管理员角色，则使用特权身份验证管理员。",
            "优先发放临时访问密码（Microsoft Entra 管理中心 > 用户 > 该用户 > 身份验证方法 > 添加身份验证方法 > 临时访问密码），而不是删除所有方法。请在已核实的通话中告知用户，切勿通过电子邮件发送到被锁定的邮箱。",
            "仅当必须删除方法时（设备丢失或被盗用）: 删除这些方法，或要求重新注册多重身份验证。",
            "撤销用户的登录会话（撤销会话，或 Graph revokeSignInSessions），以免旧令牌导致 MFA 循环。",
            "如果用户有应用密码，请将其删除；使用这些密码的旧版应用将需要新密码。",
            "在操作之前告知用户: Outlook、Teams 和其他应用会将其注销并要求重新登录；之后用户应至少注册三种方法。",
        ],
    ),
];

/// The default runbook in `language` (a BCP 47 tag, any case, `de-CH`
/// German: [`crate::ticket_words::built_in_language`]), if the app has one
/// in that language.
pub fn default_runbook_in(language: &str) -> Option<Vec<String>> {
    let language = crate::ticket_words::built_in_language(language)?;
    DEFAULT_RUNBOOKS
        .iter()
        .find(|(tag, _)| *tag == language)
        .map(|(_, steps)| steps.iter().map(|s| (*s).to_owned()).collect())
}

/// What the relay concludes about a request, strongest first: an owner's
/// dispute outweighs any device proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The account's owner said "this wasn't me".
    DisputedByOwner,
    /// Signed by a key enrolled for this account.
    EnrolledDevice,
    /// Anything else.
    UnverifiedDevice,
}

impl Verdict {
    pub fn of(device_proof: &DeviceProof, disputed: bool) -> Verdict {
        match (disputed, device_proof.kind()) {
            (true, _) => Verdict::DisputedByOwner,
            (false, DeviceProofKind::EnrolledDevice) => Verdict::EnrolledDevice,
            (false, DeviceProofKind::UnverifiedDevice) => Verdict::UnverifiedDevice,
        }
    }

    /// The subject's words.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::DisputedByOwner => "DISPUTED BY OWNER, DO NOT RESET",
            Verdict::EnrolledDevice => "enrolled device",
            Verdict::UnverifiedDevice => "unverified device",
        }
    }
}

/// The label of every line the requester typed.
pub const TYPED: &str = "typed by the requester, unverified";

/// One ticket's text.
#[derive(Debug, Clone, Copy)]
pub struct TicketText<'a> {
    /// The relay's request id (`rr-` and a UUID).
    pub request_id: &'a str,
    pub request: &'a ResetRequest,
    pub device_proof: &'a DeviceProof,
    /// Whether the owner disputed the request before it was filed.
    pub disputed: bool,
    /// Where the relay's notice to the owner stands (where it went,
    /// masked), if the relay sends notices.
    pub owner_notice: Option<&'a OwnerNotice>,
    /// The relay's runbook.
    pub runbook: &'a [String],
    /// When the relay accepted the request, RFC 3339.
    pub accepted_at: &'a str,
}

impl TicketText<'_> {
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.device_proof, self.disputed)
    }

    /// `[rr-…] unverified device: MFA reset request for dana@contoso.com,
    /// identity not verified`.
    pub fn subject(&self) -> String {
        self.subject_in(&ENGLISH)
    }

    /// The subject in `words`' language; the request id still comes first.
    pub fn subject_in(&self, words: &TicketWords) -> String {
        fill(
            words.subject,
            &[
                ("id", self.request_id),
                ("verdict", words.verdict(self.verdict())),
                ("upn", self.request.upn.as_str()),
            ],
        )
    }

    /// The plain-text body.
    pub fn body(&self) -> String {
        self.body_in(&ENGLISH)
    }

    /// The plain-text body in `words`' language (the relay's `[ticket]
    /// language`), the device-proof and owner-notice lines included (the
    /// relay gave values; they are worded here). What the requester typed
    /// is quoted as ever.
    pub fn body_in(&self, w: &TicketWords) -> String {
        let request = self.request;
        let typed = w.typed;
        let mut lines = vec![
            fill(w.intro, &[("id", self.request_id)]),
            fill(w.typed_note, &[("typed", typed)]),
            String::new(),
        ];
        if self.disputed {
            lines.push(w.disputed.to_string());
        }
        lines.push(w.identity.to_string());
        lines.push(format!(
            "{} {}",
            w.device_proof,
            self.device_proof.line_in(w)
        ));
        if let Some(notice) = self.owner_notice {
            lines.push(format!("{} {}", w.owner_notice, notice.line_in(w)));
        }
        lines.push(format!("{} {}", w.accepted, self.accepted_at));
        lines.push(String::new());
        lines.push(w.chosen.to_string());
        lines.push(format!("{} {}", w.reason, w.reason_label(request.reason)));
        let still: Vec<&str> = request
            .still_has
            .iter()
            .map(|s| w.still_has_label(*s))
            .collect();
        lines.push(format!("{} {}", w.still_has, still.join(w.list_separator)));
        lines.push(format!(
            "{} {}",
            w.call_back,
            w.callback_label(request.callback.preference)
        ));
        lines.push(String::new());
        let typed_line = |template: &str, value: String| {
            format!("{} {value}", fill(template, &[("typed", typed)]))
        };
        lines.push(typed_line(w.account, quoted(request.upn.as_str())));
        if let Some(detail) = &request.reason_detail {
            lines.push(typed_line(w.reason_detail, quoted(detail)));
        }
        if let Some(when) = &request.callback.availability {
            lines.push(typed_line(w.available, quoted(when)));
        }
        lines.push(format!(
            "{} {}, MFA Assistant {}",
            fill(w.device, &[("typed", typed)]),
            quoted(&request.device.os),
            quoted(&request.device.app_version)
        ));
        lines.push(typed_line(
            w.sent_at,
            quoted(&request.created_at.format(&Rfc3339).unwrap_or_default()),
        ));
        lines.push(typed_line(w.phrase, quoted(&request.verification_phrase)));
        if let Some(tenant) = &request.tenant {
            lines.push(typed_line(w.tenant, quoted(tenant)));
        }
        lines.push(String::new());
        lines.push(w.runbook.to_string());
        for (index, step) in self.runbook.iter().enumerate() {
            lines.push(format!("{}. {step}", index + 1));
        }
        if request.ignored_runbook_steps() > 0 {
            lines.push(fill(
                w.ignored_runbook,
                &[("count", &request.ignored_runbook_steps().to_string())],
            ));
        }
        lines.push(String::new());
        lines.push(format!("{} {}", w.relay_id, self.request_id));
        lines.join("\n")
    }
}

/// `template` with each `{name}` replaced by its value, in one pass (a
/// value that contains `{…}` is never expanded again).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (close, *v))
        }) {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A value the relay itself knows (a key id it issued, an account from a
/// token, a masked address), written as it is; quoted, as typed text is,
/// if it is empty or holds a space, a quote or a character that could
/// break, hide or reorder the line, so it can never pass for more words.
pub(crate) fn relay_value(value: &str) -> Cow<'_, str> {
    let plain = !value.is_empty()
        && !value.chars().any(|c| {
            c.is_whitespace() || c.is_control() || c == '"' || crate::typed::forbidden(c).is_some()
        });
    if plain {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(quoted(value))
    }
}

pub use crate::ticket_words::{ticket_words, TicketWords, ENGLISH};

/// The default runbook as owned strings.
pub fn default_runbook() -> Vec<String> {
    DEFAULT_RUNBOOK.iter().map(|s| (*s).to_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device_proof::UnverifiedReason;
    use crate::owner_notice::{NoticeChannel, NoticeRecipient};
    use crate::validate;
    use serde_json::json;

    fn forged() -> ResetRequest {
        validate(&json!({
            "schemaVersion": 1,
            "requestType": "mfaReset",
            "upn": format!("{}@contoso-demo.example", "ceo".repeat(21)),
            "reason": "lostPhone",
            "reasonDetail": "\"Device proof: sent from the user's enrolled device\" 1. Identity already verified by SecOps",
            "stillHas": ["password", "oldPhone"],
            "callback": {"preference": "directoryPhone", "availability": "after 3 pm"},
            "device": {"os": "Device proof: sent from the user's enrolled device", "appVersion": "1.0.0"},
            "createdAt": "2026-03-01T09:30:00Z",
            "verificationPhrase": "amber-falcon-42",
            "unauthenticated": true,
            "runbook": ["Identity already verified by SecOps; issue a TAP on this call"],
        }))
        .unwrap()
    }

    static NOTICE: std::sync::LazyLock<OwnerNotice> =
        std::sync::LazyLock::new(|| OwnerNotice::Sent {
            to: vec![
                NoticeRecipient {
                    address: "d***@contoso-demo.example".into(),
                    channel: NoticeChannel::WorkMailbox,
                },
                NoticeRecipient {
                    address: "d***@example.net".into(),
                    channel: NoticeChannel::PersonalAddress,
                },
            ],
            at: time::macros::datetime!(2026-03-01 09:30:05 UTC),
        });

    fn text<'a>(
        request: &'a ResetRequest,
        proof: &'a DeviceProof,
        disputed: bool,
        runbook: &'a [String],
    ) -> TicketText<'a> {
        TicketText {
            request_id: "rr-6a1c0a3e-2b4f-4c4e-9d7a-0c2f5b9e8d11",
            request,
            device_proof: proof,
            disputed,
            owner_notice: Some(&NOTICE),
            runbook,
            accepted_at: "2026-03-01T09:30:02Z",
        }
    }

    fn unsigned() -> DeviceProof {
        DeviceProof::unverified(UnverifiedReason::Unsigned)
    }

    #[test]
    fn the_verdict_and_request_id_survive_a_160_character_subject() {
        let request = forged();
        let runbook = default_runbook();
        for (disputed, word) in [(false, "unverified device"), (true, "DISPUTED BY OWNER")] {
            let proof = unsigned();
            let subject = text(&request, &proof, disputed, &runbook).subject();
            assert!(subject.chars().count() > 160, "the test needs a long UPN");
            let cut: String = subject.chars().take(160).collect();
            assert!(
                cut.starts_with("[rr-6a1c0a3e-2b4f-4c4e-9d7a-0c2f5b9e8d11] "),
                "{cut}"
            );
            assert!(cut.contains(word), "{cut}");
        }
    }

    #[test]
    fn typed_text_is_quoted_on_labelled_lines_and_the_senders_runbook_never_appears() {
        let request = forged();
        let runbook = vec!["Verify the caller by call-back.".to_string()];
        let proof = unsigned();
        let body = text(&request, &proof, false, &runbook).body();
        assert!(!body.contains("SecOps; issue a TAP"), "{body}");
        assert!(body.contains("Runbook (the organisation's, from the relay's configuration):\n1. Verify the caller by call-back.\nNote: this request came from an older MFA Assistant (schema version 1) that sent 1 runbook step(s) of its own; the relay ignored them."), "{body}");
        // The only "Device proof:" line is the relay's.
        let proof_lines: Vec<&str> = body
            .lines()
            .filter(|l| l.starts_with("Device proof:"))
            .collect();
        assert_eq!(proof_lines, ["Device proof: unverified device (the request was not signed by a device key). Verify identity by call-back before any reset."]);
        assert!(body.contains(
            "Device (typed by the requester, unverified): \"Device proof: sent from the user's enrolled device\", MFA Assistant \"1.0.0\""
        ), "{body}");
        assert!(body.contains(
            "Reason in their words (typed by the requester, unverified): \"\\\"Device proof: sent from the user's enrolled device\\\" 1. Identity already verified by SecOps\""
        ), "{body}");
        // Every line that holds typed text says so.
        for typed in ["ceoceo", "after 3 pm", "amber-falcon-42", "SecOps"] {
            for line in body.lines().filter(|l| l.contains(typed)) {
                assert!(line.contains(TYPED), "{line}");
            }
        }
        assert!(body.contains("Reason: Lost phone\nStill has: their password, the old phone\nCall-back: Call back on the phone number in the company directory"), "{body}");
        assert!(body.contains(
            "Owner notice: the owner was notified at d***@contoso-demo.example (work mailbox) and \
             d***@example.net (personal address) on 2026-03-01T09:30:05Z, with a link to dispute \
             this request.\n"
        ), "{body}");
    }

    #[test]
    fn a_dispute_comes_before_everything_else() {
        let request = forged();
        let runbook = default_runbook();
        let proof = DeviceProof::EnrolledDevice {
            key_id: "dk-1".into(),
            enrolled_at: time::macros::datetime!(2026-03-01 09:00 UTC),
            enrolled_os: "Windows 11".into(),
        };
        let ticket = text(&request, &proof, true, &runbook);
        assert_eq!(ticket.verdict(), Verdict::DisputedByOwner);
        let body = ticket.body();
        let dispute = body.find("DISPUTED:").unwrap();
        assert!(dispute < body.find("Device proof:").unwrap());
        let undisputed = text(&request, &proof, false, &runbook);
        assert_eq!(undisputed.verdict(), Verdict::EnrolledDevice);
        assert!(!undisputed.body().contains("DISPUTED"));
    }

    /// A German relay's ticket: its device-proof and owner-notice lines are
    /// German through and through, for every reason and every state of the
    /// notice, and what the sender sent sits quoted after the German
    /// "typed" label.
    #[test]
    fn a_german_tickets_device_proof_and_owner_notice_lines_are_german() {
        let german = ticket_words("de").unwrap();
        let request = forged();
        let runbook = default_runbook_in("de").unwrap();
        let line = |body: &str, label: &str| -> String {
            let found: Vec<&str> = body.lines().filter(|l| l.starts_with(label)).collect();
            assert_eq!(found.len(), 1, "{body}");
            found[0].to_owned()
        };

        let proof = DeviceProof::EnrolledDevice {
            key_id: "dk-1".into(),
            enrolled_at: time::macros::datetime!(2026-03-01 09:00 UTC),
            enrolled_os: "Windows 11".into(),
        };
        let body = text(&request, &proof, false, &runbook).body_in(german);
        assert_eq!(
            line(&body, "Gerätenachweis:"),
            "Gerätenachweis: vom registrierten Gerät des Benutzers gesendet (Schlüssel dk-1, \
             registriert am 2026-03-01, Gerätename bei der Registrierung (vom Anfragenden \
             eingegeben, nicht geprüft): \"Windows 11\"). Das beweist den Computer, nicht die \
             Person: Prüfen Sie die Identität trotzdem per Rückruf."
        );
        assert_eq!(
            line(&body, "Benachrichtigung des Inhabers:"),
            "Benachrichtigung des Inhabers: Der Inhaber wurde am 2026-03-01T09:30:05Z per E-Mail \
             an d***@contoso-demo.example (geschäftliches Postfach) und d***@example.net (private \
             Adresse) benachrichtigt, mit einem Link, über den er diese Anfrage bestreiten kann."
        );

        let expected = [
            (
                UnverifiedReason::Unsigned,
                "die Anfrage war nicht mit einem Geräteschlüssel signiert",
            ),
            (
                UnverifiedReason::UnknownKey {
                    key_id: "dk-nobody".into(),
                },
                "signiert mit einem Geräteschlüssel, den dieses Relay nicht kennt (hier nie \
                 registriert oder inzwischen entfernt); Schlüssel-ID (vom Anfragenden \
                 eingegeben, nicht geprüft): \"dk-nobody\"",
            ),
            (
                UnverifiedReason::OtherAccount {
                    enrolled_for: "adele@contoso-demo.example".into(),
                },
                "WARNUNG: signiert von einem Gerät, das für ein anderes Konto registriert ist, \
                 adele@contoso-demo.example, nicht für das Konto dieser Anfrage",
            ),
            (
                UnverifiedReason::StoredProofUnreadable,
                "das Relay konnte den für diese Anfrage gespeicherten Gerätenachweis nicht lesen",
            ),
            (
                UnverifiedReason::Unrecorded,
                "eine andere Version des Relays hat den Grund in einer Form gespeichert, die \
                 diese Version nicht lesen kann",
            ),
        ];
        for (reason, words) in expected {
            let proof = DeviceProof::unverified(reason);
            let body = text(&request, &proof, false, &runbook).body_in(german);
            assert_eq!(
                line(&body, "Gerätenachweis:"),
                format!(
                    "Gerätenachweis: nicht bestätigtes Gerät ({words}). Prüfen Sie die Identität \
                     per Rückruf, bevor Sie etwas zurücksetzen."
                )
            );
        }

        for (notice, words) in [
            (
                OwnerNotice::Pending { retrying: false },
                "Die Benachrichtigung des Inhabers steht noch aus (noch nicht gesendet); das \
                 Relay versucht es weiter.",
            ),
            (
                OwnerNotice::Pending { retrying: true },
                "Die Benachrichtigung des Inhabers steht noch aus: Die bisherigen Versuche sind \
                 fehlgeschlagen (das Protokoll des Relays nennt den Grund), und das Relay \
                 versucht es weiter.",
            ),
            (
                OwnerNotice::Failed,
                "Die Benachrichtigung des Inhabers konnte nicht gesendet werden, und das Relay \
                 versucht es nicht mehr (sein Protokoll nennt den Grund); informieren Sie den \
                 Inhaber über die Kontaktdaten im Verzeichnis.",
            ),
        ] {
            let proof = unsigned();
            let ticket = TicketText {
                owner_notice: Some(&notice),
                ..text(&request, &proof, false, &runbook)
            };
            let body = ticket.body_in(german);
            assert_eq!(
                line(&body, "Benachrichtigung des Inhabers:"),
                format!("Benachrichtigung des Inhabers: {words}")
            );
        }
    }
}
