//! The ticket's own words in each language a relay can write tickets in
//! (`[ticket] language`): its labels, the relay's instructions, and the
//! names of the app's fixed choices. `{name}` marks a value the relay fills
//! in (one pass: a value is never expanded again). English is the contract's
//! original; the others say the same, in Microsoft's own terms for each
//! language (Befristeter Zugriffspass, Passe d’accès temporaire, …).
//!
//! Every line still starts with one of the relay's labels, and everything
//! the requester typed is still quoted after a label that says so.

use crate::owner_notice::NoticeChannel;
use crate::request::{CallbackPreference, Reason, StillHas};
use crate::ticket::Verdict;

/// One language's ticket words (see the module's notes).
#[derive(Debug, PartialEq, Eq)]
pub struct TicketWords {
    /// The BCP 47 tag.
    pub tag: &'static str,
    /// `{id}`, `{verdict}`, `{upn}`; the request id first, always.
    pub subject: &'static str,
    pub verdict_disputed: &'static str,
    pub verdict_enrolled: &'static str,
    pub verdict_unverified: &'static str,
    /// `{id}`.
    pub intro: &'static str,
    /// The label of every line the requester typed.
    pub typed: &'static str,
    /// `{typed}`.
    pub typed_note: &'static str,
    pub disputed: &'static str,
    pub identity: &'static str,
    pub device_proof: &'static str,
    /// `{detail}`: [`TicketWords::proof_enrolled_detail`], filled.
    pub proof_enrolled: &'static str,
    /// `{detail}`: the reason's words below, filled.
    pub proof_unverified: &'static str,
    /// An enrolled device: `{key}` (the relay's key id), `{date}` (of the
    /// enrolment), `{typed}` and `{os}` (the device as the app named it at
    /// enrolment, quoted: the label must come before it).
    pub proof_enrolled_detail: &'static str,
    /// Why a device is unverified, one per `UnverifiedReason`: no
    /// signature;
    pub unverified_unsigned: &'static str,
    /// a key the relay does not know, `{key}` (its id as sent, quoted)
    /// after `{typed}`;
    pub unverified_unknown_key: &'static str,
    /// a key enrolled for another account, `{account}`;
    pub unverified_other_account: &'static str,
    /// the stored proof unreadable;
    pub unverified_unreadable: &'static str,
    /// a reason another version of the relay recorded that this one cannot
    /// read.
    pub unverified_unrecorded: &'static str,
    pub owner_notice: &'static str,
    /// The notice was sent: `{to}` (the recipients, each
    /// [`TicketWords::notice_recipient`]), `{at}` (RFC 3339).
    pub notice_sent: &'static str,
    /// `{address}` (masked) and `{channel}`.
    pub notice_recipient: &'static str,
    /// In `owner_notice::NOTICE_CHANNELS`' order.
    pub notice_channels: [&'static str; 4],
    /// Before the last item of a list (`list_separator` before the others).
    pub list_and: &'static str,
    /// Not sent yet, nothing failed.
    pub notice_pending: &'static str,
    /// Not sent yet, an attempt failed, the relay tries again.
    pub notice_retrying: &'static str,
    /// Out of attempts.
    pub notice_failed: &'static str,
    pub accepted: &'static str,
    pub chosen: &'static str,
    pub reason: &'static str,
    pub still_has: &'static str,
    pub list_separator: &'static str,
    pub call_back: &'static str,
    /// `{typed}` in each of these labels.
    pub account: &'static str,
    pub reason_detail: &'static str,
    pub available: &'static str,
    pub device: &'static str,
    pub sent_at: &'static str,
    pub phrase: &'static str,
    pub tenant: &'static str,
    pub runbook: &'static str,
    /// `{count}`.
    pub ignored_runbook: &'static str,
    pub relay_id: &'static str,
    /// In the contract's order (`REASONS`).
    pub reasons: [&'static str; 8],
    /// In the contract's order (`STILL_HAS`).
    pub still_has_labels: [&'static str; 7],
    /// In the contract's order (`CALLBACK_PREFERENCES`).
    pub callbacks: [&'static str; 3],
}

impl TicketWords {
    pub fn verdict(&self, verdict: Verdict) -> &'static str {
        match verdict {
            Verdict::DisputedByOwner => self.verdict_disputed,
            Verdict::EnrolledDevice => self.verdict_enrolled,
            Verdict::UnverifiedDevice => self.verdict_unverified,
        }
    }

    pub fn reason_label(&self, reason: Reason) -> &'static str {
        self.reasons[match reason {
            Reason::LostPhone => 0,
            Reason::BrokenPhone => 1,
            Reason::NewPhone => 2,
            Reason::NumberChanged => 3,
            Reason::PromptsNotArriving => 4,
            Reason::CodesRejected => 5,
            Reason::BlockedByPolicy => 6,
            Reason::Other => 7,
        }]
    }

    pub fn still_has_label(&self, still: StillHas) -> &'static str {
        self.still_has_labels[match still {
            StillHas::Password => 0,
            StillHas::OldPhone => 1,
            StillHas::PhoneNumber => 2,
            StillHas::SecurityKey => 3,
            StillHas::AuthenticatorApp => 4,
            StillHas::Email => 5,
            StillHas::Nothing => 6,
        }]
    }

    pub fn channel(&self, channel: NoticeChannel) -> &'static str {
        self.notice_channels[match channel {
            NoticeChannel::WorkMailbox => 0,
            NoticeChannel::PersonalAddress => 1,
            NoticeChannel::Manager => 2,
            NoticeChannel::PersonalAddressOrManager => 3,
        }]
    }

    pub fn callback_label(&self, preference: CallbackPreference) -> &'static str {
        self.callbacks[match preference {
            CallbackPreference::DirectoryPhone => 0,
            CallbackPreference::Manager => 1,
            CallbackPreference::InPerson => 2,
        }]
    }
}

/// The words of the language tagged `language` (any case), if a relay can
/// write tickets in it ([`built_in_language`]: `de-CH` gets German).
pub fn ticket_words(language: &str) -> Option<&'static TicketWords> {
    let tag = built_in_language(language)?;
    ALL.iter().copied().find(|w| w.tag == tag)
}

/// The built-in language (`en`, `de`, `fr`, `es`, `ja`, `pt-BR`,
/// `zh-Hans`) an organisation's tag means, any case: the language with its
/// region dropped (`de-CH` and `de-AT` are German, `fr-CA` French), any
/// Portuguese Brazilian Portuguese, and Chinese only in simplified script
/// (`zh`, `zh-CN`, `zh-SG`, `zh-Hans-…`; never `zh-TW`, `zh-HK`, `zh-MO`
/// or `zh-Hant`). The app's window chooses the same way
/// (`mfa_core::language::Language::matching`).
pub fn built_in_language(language: &str) -> Option<&'static str> {
    let tag = language.trim().to_ascii_lowercase();
    let mut subtags = tag.split('-');
    let primary = subtags.next().unwrap_or("");
    let rest: Vec<&str> = subtags.collect();
    match primary {
        "en" => Some("en"),
        "de" => Some("de"),
        "fr" => Some("fr"),
        "es" => Some("es"),
        "ja" => Some("ja"),
        "pt" => Some("pt-BR"),
        "zh" => {
            let traditional = rest
                .iter()
                .any(|s| matches!(*s, "hant" | "tw" | "hk" | "mo"));
            let simplified = rest.contains(&"hans");
            (simplified || !traditional).then_some("zh-Hans")
        }
        _ => None,
    }
}

const ALL: [&TicketWords; 7] = [
    &ENGLISH,
    &GERMAN,
    &FRENCH,
    &SPANISH,
    &JAPANESE,
    &PORTUGUESE_BR,
    &CHINESE_HANS,
];

pub const ENGLISH: TicketWords = TicketWords {
    tag: "en",
    subject: "[{id}] {verdict}: MFA reset request for {upn}, identity not verified",
    verdict_disputed: "DISPUTED BY OWNER, DO NOT RESET",
    verdict_enrolled: "enrolled device",
    verdict_unverified: "unverified device",
    intro: "MFA reset request {id}, written by the MFA Assistant relay.",
    typed: "typed by the requester, unverified",
    typed_note: "Lines marked \"{typed}\" hold the requester's own words, quoted: never follow instructions in them.",
    disputed: "DISPUTED: the account's owner says they did not ask for this. Treat it as an attack: do not reset, and alert security.",
    identity: "Identity: NOT verified. Verify the caller out of band (call back on the number in the company directory, or through the manager) before any reset, and ask for the verification phrase.",
    device_proof: "Device proof:",
    proof_enrolled: "sent from the user's enrolled device ({detail}). This proves the computer, not the person: still verify identity by call-back.",
    proof_unverified: "unverified device ({detail}). Verify identity by call-back before any reset.",
    proof_enrolled_detail: "key {key}, enrolled {date}, device named at enrolment ({typed}): {os}",
    unverified_unsigned: "the request was not signed by a device key",
    unverified_unknown_key: "signed by a device key this relay does not know (never enrolled here, or removed since); key id ({typed}): {key}",
    unverified_other_account: "WARNING: signed by a device enrolled for another account, {account}, not the account this request names",
    unverified_unreadable: "the relay could not read the device proof it stored for this request",
    unverified_unrecorded: "another version of the relay recorded the reason in a form this version cannot read",
    owner_notice: "Owner notice:",
    notice_sent: "the owner was notified at {to} on {at}, with a link to dispute this request.",
    notice_recipient: "{address} ({channel})",
    notice_channels: [
        "work mailbox",
        "personal address",
        "manager",
        "personal address or manager",
    ],
    list_and: " and ",
    notice_pending: "the notice to the owner is still pending (not sent yet); the relay keeps trying.",
    notice_retrying: "the notice to the owner is still pending: the attempts so far failed (the relay's log says why), and the relay keeps trying.",
    notice_failed: "the notice to the owner could not be sent, and the relay has stopped trying (its log says why); tell the owner through the directory's contacts.",
    accepted: "Accepted by the relay:",
    chosen: "Chosen in the app from fixed lists:",
    reason: "Reason:",
    still_has: "Still has:",
    list_separator: ", ",
    call_back: "Call-back:",
    account: "Account (UPN, {typed}):",
    reason_detail: "Reason in their words ({typed}):",
    available: "Available for the call-back ({typed}):",
    device: "Device ({typed}):",
    sent_at: "Sent at, by the requester's clock ({typed}):",
    phrase: "Verification phrase ({typed}; it must match what the caller reads out):",
    tenant: "Tenant ({typed}):",
    runbook: "Runbook (the organisation's, from the relay's configuration):",
    ignored_runbook: "Note: this request came from an older MFA Assistant (schema version 1) that sent {count} runbook step(s) of its own; the relay ignored them.",
    relay_id: "Relay request id:",
    reasons: [
        "Lost phone",
        "Broken phone",
        "New phone",
        "Phone number changed",
        "Sign-in prompts do not arrive",
        "Codes are rejected",
        "Blocked by a sign-in policy",
        "Other",
    ],
    still_has_labels: [
        "their password",
        "the old phone",
        "their phone number",
        "a security key",
        "an authenticator app",
        "their email",
        "nothing",
    ],
    callbacks: [
        "Call back on the phone number in the company directory",
        "Verify through their manager",
        "In person, with photo ID",
    ],
};

const GERMAN: TicketWords = TicketWords {
    tag: "de",
    subject: "[{id}] {verdict}: MFA-Zurücksetzung angefordert für {upn}, Identität nicht geprüft",
    verdict_disputed: "VOM INHABER BESTRITTEN, NICHT ZURÜCKSETZEN",
    verdict_enrolled: "registriertes Gerät",
    verdict_unverified: "nicht bestätigtes Gerät",
    intro: "MFA-Zurücksetzungsanfrage {id}, verfasst vom MFA Assistant-Relay.",
    typed: "vom Anfragenden eingegeben, nicht geprüft",
    typed_note: "Zeilen mit „{typed}“ enthalten die eigenen Worte des Anfragenden in Anführungszeichen: Befolgen Sie nie Anweisungen darin.",
    disputed: "BESTRITTEN: Der Kontoinhaber sagt, er habe dies nicht angefordert. Behandeln Sie es als Angriff: Nicht zurücksetzen, und die Sicherheitsabteilung alarmieren.",
    identity: "Identität: NICHT geprüft. Prüfen Sie den Anrufer auf einem anderen Weg (Rückruf unter der Nummer im Firmenverzeichnis oder über die Führungskraft), bevor Sie etwas zurücksetzen, und fragen Sie nach dem Bestätigungssatz.",
    device_proof: "Gerätenachweis:",
    proof_enrolled: "vom registrierten Gerät des Benutzers gesendet ({detail}). Das beweist den Computer, nicht die Person: Prüfen Sie die Identität trotzdem per Rückruf.",
    proof_unverified: "nicht bestätigtes Gerät ({detail}). Prüfen Sie die Identität per Rückruf, bevor Sie etwas zurücksetzen.",
    proof_enrolled_detail: "Schlüssel {key}, registriert am {date}, Gerätename bei der Registrierung ({typed}): {os}",
    unverified_unsigned: "die Anfrage war nicht mit einem Geräteschlüssel signiert",
    unverified_unknown_key: "signiert mit einem Geräteschlüssel, den dieses Relay nicht kennt (hier nie registriert oder inzwischen entfernt); Schlüssel-ID ({typed}): {key}",
    unverified_other_account: "WARNUNG: signiert von einem Gerät, das für ein anderes Konto registriert ist, {account}, nicht für das Konto dieser Anfrage",
    unverified_unreadable: "das Relay konnte den für diese Anfrage gespeicherten Gerätenachweis nicht lesen",
    unverified_unrecorded: "eine andere Version des Relays hat den Grund in einer Form gespeichert, die diese Version nicht lesen kann",
    owner_notice: "Benachrichtigung des Inhabers:",
    notice_sent: "Der Inhaber wurde am {at} per E-Mail an {to} benachrichtigt, mit einem Link, über den er diese Anfrage bestreiten kann.",
    notice_recipient: "{address} ({channel})",
    notice_channels: [
        "geschäftliches Postfach",
        "private Adresse",
        "Führungskraft",
        "private Adresse oder Führungskraft",
    ],
    list_and: " und ",
    notice_pending: "Die Benachrichtigung des Inhabers steht noch aus (noch nicht gesendet); das Relay versucht es weiter.",
    notice_retrying: "Die Benachrichtigung des Inhabers steht noch aus: Die bisherigen Versuche sind fehlgeschlagen (das Protokoll des Relays nennt den Grund), und das Relay versucht es weiter.",
    notice_failed: "Die Benachrichtigung des Inhabers konnte nicht gesendet werden, und das Relay versucht es nicht mehr (sein Protokoll nennt den Grund); informieren Sie den Inhaber über die Kontaktdaten im Verzeichnis.",
    accepted: "Vom Relay angenommen:",
    chosen: "In der App aus festen Listen gewählt:",
    reason: "Grund:",
    still_has: "Hat noch:",
    list_separator: ", ",
    call_back: "Rückruf:",
    account: "Konto (UPN, {typed}):",
    reason_detail: "Grund in eigenen Worten ({typed}):",
    available: "Erreichbar für den Rückruf ({typed}):",
    device: "Gerät ({typed}):",
    sent_at: "Gesendet um, nach der Uhr des Anfragenden ({typed}):",
    phrase: "Bestätigungssatz ({typed}; er muss mit dem übereinstimmen, was der Anrufer vorliest):",
    tenant: "Mandant ({typed}):",
    runbook: "Ablauf (der Ihrer Organisation, aus der Konfiguration des Relays):",
    ignored_runbook: "Hinweis: Diese Anfrage kam von einem älteren MFA Assistant (Schemaversion 1), der {count} eigene Ablaufschritte mitsandte; das Relay hat sie ignoriert.",
    relay_id: "Anfrage-ID des Relays:",
    reasons: [
        "Smartphone verloren",
        "Smartphone defekt",
        "Neues Smartphone",
        "Telefonnummer geändert",
        "Anmeldeanforderungen kommen nicht an",
        "Codes werden abgelehnt",
        "Durch eine Anmelderichtlinie blockiert",
        "Anderes",
    ],
    still_has_labels: [
        "das Kennwort",
        "das alte Smartphone",
        "die Telefonnummer",
        "einen Sicherheitsschlüssel",
        "eine Authenticator-App",
        "die E-Mail",
        "nichts",
    ],
    callbacks: [
        "Anruf unter der Telefonnummer im Firmenverzeichnis",
        "Bestätigung über die Führungskraft",
        "Persönlich, mit Lichtbildausweis",
    ],
};

const FRENCH: TicketWords = TicketWords {
    tag: "fr",
    subject: "[{id}] {verdict}\u{a0}: demande de réinitialisation MFA pour {upn}, identité non vérifiée",
    verdict_disputed: "CONTESTÉE PAR LE TITULAIRE, NE PAS RÉINITIALISER",
    verdict_enrolled: "appareil inscrit",
    verdict_unverified: "appareil non vérifié",
    intro: "Demande de réinitialisation MFA {id}, rédigée par le relais MFA Assistant.",
    typed: "saisi par le demandeur, non vérifié",
    typed_note: "Les lignes marquées «\u{a0}{typed}\u{a0}» contiennent les propres mots du demandeur, entre guillemets\u{a0}: n’en suivez jamais les instructions.",
    disputed: "CONTESTÉE\u{a0}: le titulaire du compte dit ne pas l’avoir demandée. Traitez-la comme une attaque\u{a0}: ne réinitialisez pas, et alertez la sécurité.",
    identity: "Identité\u{a0}: NON vérifiée. Vérifiez l’appelant par un autre canal (rappel au numéro de l’annuaire de l’entreprise, ou par son responsable) avant toute réinitialisation, et demandez la phrase de vérification.",
    device_proof: "Preuve d’appareil\u{a0}:",
    proof_enrolled: "envoyée depuis l’appareil inscrit de l’utilisateur ({detail}). Cela prouve l’ordinateur, pas la personne\u{a0}: vérifiez quand même l’identité par rappel.",
    proof_unverified: "appareil non vérifié ({detail}). Vérifiez l’identité par rappel avant toute réinitialisation.",
    proof_enrolled_detail: "clé {key}, inscrite le {date}, nom de l’appareil à l’inscription ({typed})\u{a0}: {os}",
    unverified_unsigned: "la demande n’était pas signée par une clé d’appareil",
    unverified_unknown_key: "signée par une clé d’appareil que ce relais ne connaît pas (jamais inscrite ici, ou supprimée depuis)\u{202f}; ID de clé ({typed})\u{a0}: {key}",
    unverified_other_account: "ATTENTION\u{a0}: signée par un appareil inscrit pour un autre compte, {account}, et non pour le compte de cette demande",
    unverified_unreadable: "le relais n’a pas pu lire la preuve d’appareil qu’il a enregistrée pour cette demande",
    unverified_unrecorded: "une autre version du relais a enregistré le motif sous une forme que cette version ne sait pas lire",
    owner_notice: "Avis au titulaire\u{a0}:",
    notice_sent: "le titulaire a été averti le {at} par e-mail à {to}, avec un lien pour contester cette demande.",
    notice_recipient: "{address} ({channel})",
    notice_channels: [
        "boîte aux lettres professionnelle",
        "adresse personnelle",
        "responsable",
        "adresse personnelle ou responsable",
    ],
    list_and: " et ",
    notice_pending: "l’avis au titulaire est encore en attente (pas encore envoyé)\u{202f}; le relais continue d’essayer.",
    notice_retrying: "l’avis au titulaire est encore en attente\u{a0}: les tentatives ont échoué jusqu’ici (le journal du relais indique pourquoi), et le relais continue d’essayer.",
    notice_failed: "l’avis au titulaire n’a pas pu être envoyé, et le relais a cessé d’essayer (son journal indique pourquoi)\u{202f}; prévenez le titulaire par les coordonnées de l’annuaire.",
    accepted: "Acceptée par le relais\u{a0}:",
    chosen: "Choisi dans l’application parmi des listes fixes\u{a0}:",
    reason: "Motif\u{a0}:",
    still_has: "Dispose encore de\u{a0}:",
    list_separator: ", ",
    call_back: "Rappel\u{a0}:",
    account: "Compte (UPN, {typed})\u{a0}:",
    reason_detail: "Motif dans ses mots ({typed})\u{a0}:",
    available: "Disponible pour le rappel ({typed})\u{a0}:",
    device: "Appareil ({typed})\u{a0}:",
    sent_at: "Envoyée à, selon l’horloge du demandeur ({typed})\u{a0}:",
    phrase: "Phrase de vérification ({typed}\u{202f}; elle doit correspondre à ce que lit l’appelant)\u{a0}:",
    tenant: "Locataire ({typed})\u{a0}:",
    runbook: "Procédure (celle de l’organisation, issue de la configuration du relais)\u{a0}:",
    ignored_runbook: "Remarque\u{a0}: cette demande vient d’un ancien MFA Assistant (version de schéma 1) qui a envoyé {count} étape(s) de procédure à lui\u{202f}; le relais les a ignorées.",
    relay_id: "ID de demande du relais\u{a0}:",
    reasons: [
        "Téléphone perdu",
        "Téléphone cassé",
        "Nouveau téléphone",
        "Numéro de téléphone changé",
        "Les demandes de connexion n’arrivent pas",
        "Les codes sont refusés",
        "Bloqué par une stratégie de connexion",
        "Autre",
    ],
    still_has_labels: [
        "son mot de passe",
        "l’ancien téléphone",
        "son numéro de téléphone",
        "une clé de sécurité",
        "une application d’authentification",
        "ses e-mails",
        "rien",
    ],
    callbacks: [
        "Rappeler au numéro de téléphone de l’annuaire de l’entreprise",
        "Vérifier auprès de son responsable",
        "En personne, avec une pièce d’identité avec photo",
    ],
};

const SPANISH: TicketWords = TicketWords {
    tag: "es",
    subject: "[{id}] {verdict}: solicitud de restablecimiento de MFA para {upn}, identidad no verificada",
    verdict_disputed: "IMPUGNADA POR EL TITULAR, NO RESTABLECER",
    verdict_enrolled: "dispositivo inscrito",
    verdict_unverified: "dispositivo no verificado",
    intro: "Solicitud de restablecimiento de MFA {id}, redactada por el relé de MFA Assistant.",
    typed: "escrito por el solicitante, sin verificar",
    typed_note: "Las líneas marcadas «{typed}» contienen las palabras del propio solicitante, entre comillas: nunca siga instrucciones que aparezcan en ellas.",
    disputed: "IMPUGNADA: el titular de la cuenta dice que no la pidió. Trátela como un ataque: no restablezca nada y avise a seguridad.",
    identity: "Identidad: NO verificada. Verifique a quien llama por otro canal (devolviendo la llamada al número del directorio de la empresa, o a través de su responsable) antes de restablecer nada, y pida la frase de verificación.",
    device_proof: "Prueba de dispositivo:",
    proof_enrolled: "enviada desde el dispositivo inscrito del usuario ({detail}). Esto prueba el equipo, no la persona: verifique igualmente la identidad devolviendo la llamada.",
    proof_unverified: "dispositivo no verificado ({detail}). Verifique la identidad devolviendo la llamada antes de restablecer nada.",
    proof_enrolled_detail: "clave {key}, inscrita el {date}, nombre del dispositivo al inscribirlo ({typed}): {os}",
    unverified_unsigned: "la solicitud no estaba firmada con una clave de dispositivo",
    unverified_unknown_key: "firmada con una clave de dispositivo que este relé no conoce (nunca se inscribió aquí, o se quitó después); id. de clave ({typed}): {key}",
    unverified_other_account: "ADVERTENCIA: firmada por un dispositivo inscrito para otra cuenta, {account}, no para la cuenta de esta solicitud",
    unverified_unreadable: "el relé no pudo leer la prueba de dispositivo que guardó para esta solicitud",
    unverified_unrecorded: "otra versión del relé guardó el motivo en un formato que esta versión no sabe leer",
    owner_notice: "Aviso al titular:",
    notice_sent: "se avisó al titular el {at} por correo electrónico a {to}, con un enlace para impugnar esta solicitud.",
    notice_recipient: "{address} ({channel})",
    notice_channels: [
        "buzón de trabajo",
        "dirección personal",
        "responsable",
        "dirección personal o responsable",
    ],
    list_and: " y ",
    notice_pending: "el aviso al titular sigue pendiente (aún no enviado); el relé sigue intentándolo.",
    notice_retrying: "el aviso al titular sigue pendiente: los intentos hasta ahora han fallado (el registro del relé indica por qué), y el relé sigue intentándolo.",
    notice_failed: "no se pudo enviar el aviso al titular, y el relé dejó de intentarlo (su registro indica por qué); avise al titular por los contactos del directorio.",
    accepted: "Aceptada por el relé:",
    chosen: "Elegido en la aplicación de listas fijas:",
    reason: "Motivo:",
    still_has: "Aún conserva:",
    list_separator: ", ",
    call_back: "Devolución de llamada:",
    account: "Cuenta (UPN, {typed}):",
    reason_detail: "Motivo con sus palabras ({typed}):",
    available: "Disponible para la llamada ({typed}):",
    device: "Dispositivo ({typed}):",
    sent_at: "Enviada a las, según el reloj del solicitante ({typed}):",
    phrase: "Frase de verificación ({typed}; debe coincidir con la que lea quien llama):",
    tenant: "Inquilino ({typed}):",
    runbook: "Procedimiento (el de la organización, de la configuración del relé):",
    ignored_runbook: "Nota: esta solicitud procede de un MFA Assistant antiguo (versión de esquema 1) que envió {count} paso(s) de procedimiento propios; el relé los ignoró.",
    relay_id: "Id. de solicitud del relé:",
    reasons: [
        "Teléfono perdido",
        "Teléfono roto",
        "Teléfono nuevo",
        "Número de teléfono cambiado",
        "No llegan las solicitudes de inicio de sesión",
        "Se rechazan los códigos",
        "Bloqueado por una directiva de inicio de sesión",
        "Otro",
    ],
    still_has_labels: [
        "su contraseña",
        "el teléfono anterior",
        "su número de teléfono",
        "una llave de seguridad",
        "una aplicación de autenticación",
        "su correo electrónico",
        "nada",
    ],
    callbacks: [
        "Devolver la llamada al número de teléfono del directorio de la empresa",
        "Verificar a través de su responsable",
        "En persona, con documento de identidad con foto",
    ],
};

const JAPANESE: TicketWords = TicketWords {
    tag: "ja",
    subject: "[{id}] {verdict}: {upn} の MFA リセット要求、本人確認未実施",
    verdict_disputed: "所有者が否認、リセット禁止",
    verdict_enrolled: "登録済みデバイス",
    verdict_unverified: "未確認のデバイス",
    intro: "MFA リセット要求 {id} (MFA Assistant リレーが作成)。",
    typed: "依頼者の入力、未確認",
    typed_note: "「{typed}」と記された行は依頼者自身の言葉を引用したものです。その中の指示には決して従わないでください。",
    disputed: "否認: アカウントの所有者は、この依頼をしていないと言っています。攻撃として扱い、リセットせず、セキュリティ担当に連絡してください。",
    identity: "本人確認: 未実施。リセットの前に別の経路で発信者を確認し (社内ディレクトリの番号への折り返し電話、または上司経由)、確認フレーズを尋ねてください。",
    device_proof: "デバイス証明:",
    proof_enrolled: "ユーザーの登録済みデバイスから送信 ({detail})。これはコンピューターの証明であり、本人の証明ではありません。折り返し電話で本人確認を行ってください。",
    proof_unverified: "未確認のデバイス ({detail})。リセットの前に折り返し電話で本人確認を行ってください。",
    proof_enrolled_detail: "キー {key}、{date} に登録、登録時のデバイス名 ({typed}): {os}",
    unverified_unsigned: "要求はデバイス キーで署名されていません",
    unverified_unknown_key: "このリレーが認識していないデバイス キーによる署名 (ここで登録されたことがないか、その後削除されたキー)、キー ID ({typed}): {key}",
    unverified_other_account: "警告: 別のアカウント {account} 用に登録されたデバイスによる署名で、この要求のアカウントではありません",
    unverified_unreadable: "この要求について保存したデバイス証明をリレーが読み取れませんでした",
    unverified_unrecorded: "別のバージョンのリレーが、このバージョンでは読み取れない形式で理由を記録しました",
    owner_notice: "所有者への通知:",
    notice_sent: "{at} に所有者へメールで通知しました。送信先: {to}。この要求に異議を申し立てるためのリンクを含みます。",
    notice_recipient: "{address} ({channel})",
    notice_channels: [
        "職場のメールボックス",
        "個人用アドレス",
        "上司",
        "個人用アドレスまたは上司",
    ],
    list_and: " と ",
    notice_pending: "所有者への通知はまだ保留中です (未送信)。リレーは再試行を続けます。",
    notice_retrying: "所有者への通知はまだ保留中です。これまでの試行は失敗しました (理由はリレーのログにあります)。リレーは再試行を続けます。",
    notice_failed: "所有者への通知を送信できず、リレーは再試行を停止しました (理由はリレーのログにあります)。ディレクトリの連絡先を使って所有者に知らせてください。",
    accepted: "リレーの受付日時:",
    chosen: "アプリで固定の一覧から選択された内容:",
    reason: "理由:",
    still_has: "まだ使えるもの:",
    list_separator: "、",
    call_back: "折り返し連絡:",
    account: "アカウント (UPN、{typed}):",
    reason_detail: "本人の言葉による理由 ({typed}):",
    available: "折り返し電話の可能な時間帯 ({typed}):",
    device: "デバイス ({typed}):",
    sent_at: "送信日時 (依頼者の時計による、{typed}):",
    phrase: "確認フレーズ ({typed}。発信者が読み上げる内容と一致する必要があります):",
    tenant: "テナント ({typed}):",
    runbook: "対応手順 (組織のもの、リレーの構成から):",
    ignored_runbook: "注: この依頼は古い MFA Assistant (スキーマ バージョン 1) から送られ、独自の対応手順が {count} 個含まれていましたが、リレーはそれを無視しました。",
    relay_id: "リレーの要求 ID:",
    reasons: [
        "スマートフォンの紛失",
        "スマートフォンの故障",
        "新しいスマートフォン",
        "電話番号の変更",
        "サインインの要求が届かない",
        "コードが拒否される",
        "サインイン ポリシーによるブロック",
        "その他",
    ],
    still_has_labels: [
        "パスワード",
        "古いスマートフォン",
        "電話番号",
        "セキュリティ キー",
        "認証アプリ",
        "メール",
        "なし",
    ],
    callbacks: [
        "社内ディレクトリの電話番号に折り返し電話",
        "上司を通じて確認",
        "写真付き身分証明書を持参して対面で",
    ],
};

const PORTUGUESE_BR: TicketWords = TicketWords {
    tag: "pt-BR",
    subject: "[{id}] {verdict}: pedido de redefinição de MFA para {upn}, identidade não verificada",
    verdict_disputed: "CONTESTADO PELO TITULAR, NÃO REDEFINIR",
    verdict_enrolled: "dispositivo registrado",
    verdict_unverified: "dispositivo não verificado",
    intro: "Pedido de redefinição de MFA {id}, escrito pela retransmissão do MFA Assistant.",
    typed: "digitado pelo solicitante, não verificado",
    typed_note: "Linhas marcadas com “{typed}” trazem as palavras do próprio solicitante, entre aspas: nunca siga instruções contidas nelas.",
    disputed: "CONTESTADO: o titular da conta diz que não pediu isto. Trate como um ataque: não redefina e alerte a segurança.",
    identity: "Identidade: NÃO verificada. Verifique quem ligou por outro canal (ligando de volta para o número do diretório da empresa, ou por meio do gestor) antes de qualquer redefinição, e peça a frase de verificação.",
    device_proof: "Prova do dispositivo:",
    proof_enrolled: "enviado do dispositivo registrado do usuário ({detail}). Isso prova o computador, não a pessoa: ainda assim verifique a identidade ligando de volta.",
    proof_unverified: "dispositivo não verificado ({detail}). Verifique a identidade ligando de volta antes de qualquer redefinição.",
    proof_enrolled_detail: "chave {key}, registrada em {date}, nome do dispositivo no registro ({typed}): {os}",
    unverified_unsigned: "o pedido não foi assinado por uma chave de dispositivo",
    unverified_unknown_key: "assinado por uma chave de dispositivo que esta retransmissão não conhece (nunca registrada aqui, ou removida depois); ID da chave ({typed}): {key}",
    unverified_other_account: "AVISO: assinado por um dispositivo registrado para outra conta, {account}, não para a conta deste pedido",
    unverified_unreadable: "a retransmissão não conseguiu ler a prova do dispositivo que guardou para este pedido",
    unverified_unrecorded: "outra versão da retransmissão registrou o motivo em um formato que esta versão não sabe ler",
    owner_notice: "Aviso ao titular:",
    notice_sent: "o titular foi avisado em {at} por email para {to}, com um link para contestar este pedido.",
    notice_recipient: "{address} ({channel})",
    notice_channels: [
        "caixa de correio corporativa",
        "endereço pessoal",
        "gestor",
        "endereço pessoal ou gestor",
    ],
    list_and: " e ",
    notice_pending: "o aviso ao titular ainda está pendente (não enviado); a retransmissão continua tentando.",
    notice_retrying: "o aviso ao titular ainda está pendente: as tentativas até agora falharam (o log da retransmissão diz por quê), e a retransmissão continua tentando.",
    notice_failed: "não foi possível enviar o aviso ao titular, e a retransmissão parou de tentar (o log dela diz por quê); avise o titular pelos contatos do diretório.",
    accepted: "Aceito pela retransmissão:",
    chosen: "Escolhido no aplicativo em listas fixas:",
    reason: "Motivo:",
    still_has: "Ainda tem:",
    list_separator: ", ",
    call_back: "Retorno:",
    account: "Conta (UPN, {typed}):",
    reason_detail: "Motivo nas palavras do solicitante ({typed}):",
    available: "Disponível para o retorno ({typed}):",
    device: "Dispositivo ({typed}):",
    sent_at: "Enviado em, pelo relógio do solicitante ({typed}):",
    phrase: "Frase de verificação ({typed}; deve corresponder ao que quem ligou ler):",
    tenant: "Locatário ({typed}):",
    runbook: "Procedimento (o da organização, da configuração da retransmissão):",
    ignored_runbook: "Observação: este pedido veio de um MFA Assistant antigo (versão de esquema 1) que enviou {count} etapa(s) de procedimento próprias; a retransmissão as ignorou.",
    relay_id: "ID do pedido na retransmissão:",
    reasons: [
        "Celular perdido",
        "Celular quebrado",
        "Celular novo",
        "Número de telefone alterado",
        "As solicitações de entrada não chegam",
        "Os códigos são recusados",
        "Bloqueado por uma política de entrada",
        "Outro",
    ],
    still_has_labels: [
        "a senha",
        "o celular antigo",
        "o número de telefone",
        "uma chave de segurança",
        "um aplicativo autenticador",
        "o email",
        "nada",
    ],
    callbacks: [
        "Ligar de volta para o número de telefone do diretório da empresa",
        "Verificar por meio do gestor",
        "Pessoalmente, com documento de identidade com foto",
    ],
};

const CHINESE_HANS: TicketWords = TicketWords {
    tag: "zh-Hans",
    subject: "[{id}] {verdict}: {upn} 的 MFA 重置请求，身份未核实",
    verdict_disputed: "帐户所有者有异议，请勿重置",
    verdict_enrolled: "已注册设备",
    verdict_unverified: "未验证设备",
    intro: "MFA 重置请求 {id}，由 MFA Assistant 中继撰写。",
    typed: "由请求者输入，未经核实",
    typed_note: "标有“{typed}”的行是请求者本人的原话（已加引号）: 切勿执行其中的任何指示。",
    disputed: "有异议: 帐户所有者表示并未提出此请求。请将其视为攻击: 不要重置，并通知安全团队。",
    identity: "身份: 未核实。在进行任何重置之前，请通过其他渠道核实来电者（回拨公司通讯录中的号码，或通过其经理），并询问验证短语。",
    device_proof: "设备证明:",
    proof_enrolled: "从用户已注册的设备发送（{detail}）。这证明的是计算机，而不是本人: 仍需通过回电核实身份。",
    proof_unverified: "未验证设备（{detail}）。在进行任何重置之前，请通过回电核实身份。",
    proof_enrolled_detail: "密钥 {key}，注册于 {date}，注册时的设备名称（{typed}）: {os}",
    unverified_unsigned: "请求未使用设备密钥签名",
    unverified_unknown_key: "使用此中继不认识的设备密钥签名（从未在此注册，或之后已被删除）；密钥 ID（{typed}）: {key}",
    unverified_other_account: "警告: 由为另一个帐户 {account} 注册的设备签名，而非此请求所指的帐户",
    unverified_unreadable: "中继无法读取其为此请求存储的设备证明",
    unverified_unrecorded: "另一版本的中继以此版本无法读取的格式记录了原因",
    owner_notice: "所有者通知:",
    notice_sent: "已于 {at} 通过电子邮件通知所有者: {to}；邮件附有对此请求提出异议的链接。",
    notice_recipient: "{address}（{channel}）",
    notice_channels: [
        "工作邮箱",
        "个人地址",
        "经理",
        "个人地址或经理",
    ],
    list_and: " 和 ",
    notice_pending: "对所有者的通知仍在等待中（尚未发送）；中继会继续尝试。",
    notice_retrying: "对所有者的通知仍在等待中: 到目前为止的尝试均失败（原因见中继日志），中继会继续尝试。",
    notice_failed: "无法向所有者发送通知，中继已停止尝试（原因见中继日志）；请通过目录中的联系方式告知所有者。",
    accepted: "中继接受时间:",
    chosen: "在应用中从固定列表选择:",
    reason: "原因:",
    still_has: "仍拥有:",
    list_separator: "、",
    call_back: "回电方式:",
    account: "帐户（UPN，{typed}）:",
    reason_detail: "请求者描述的原因（{typed}）:",
    available: "可接听回电的时间（{typed}）:",
    device: "设备（{typed}）:",
    sent_at: "发送时间，按请求者的时钟（{typed}）:",
    phrase: "验证短语（{typed}；必须与来电者读出的内容一致）:",
    tenant: "租户（{typed}）:",
    runbook: "处理步骤（组织的，来自中继的配置）:",
    ignored_runbook: "注意: 此请求来自旧版 MFA Assistant（架构版本 1），它自带了 {count} 个处理步骤；中继已忽略这些步骤。",
    relay_id: "中继请求 ID:",
    reasons: [
        "手机丢失",
        "手机损坏",
        "新手机",
        "电话号码已更改",
        "收不到登录请求",
        "验证码被拒绝",
        "被登录策略阻止",
        "其他",
    ],
    still_has_labels: [
        "密码",
        "旧手机",
        "电话号码",
        "安全密钥",
        "验证器应用",
        "电子邮件",
        "都没有",
    ],
    callbacks: [
        "回拨公司通讯录中的电话号码",
        "通过其经理核实",
        "本人携带带照片的身份证件到场",
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{CALLBACK_PREFERENCES, REASONS, STILL_HAS};

    #[test]
    fn english_is_the_contracts_own_labels() {
        for (i, name) in REASONS.iter().enumerate() {
            assert_eq!(ENGLISH.reasons[i], Reason::parse(name).unwrap().label());
        }
        for (i, name) in STILL_HAS.iter().enumerate() {
            assert_eq!(
                ENGLISH.still_has_labels[i],
                StillHas::parse(name).unwrap().label()
            );
        }
        for (i, name) in CALLBACK_PREFERENCES.iter().enumerate() {
            assert_eq!(
                ENGLISH.callbacks[i],
                CallbackPreference::parse(name).unwrap().label()
            );
        }
        assert_eq!(ENGLISH.typed, crate::ticket::TYPED);
        for verdict in [
            Verdict::DisputedByOwner,
            Verdict::EnrolledDevice,
            Verdict::UnverifiedDevice,
        ] {
            assert_eq!(ENGLISH.verdict(verdict), verdict.label());
        }
    }

    #[test]
    fn every_language_fills_the_same_values_and_has_a_runbook() {
        let names = |t: &str| -> Vec<String> {
            let mut out: Vec<String> = t
                .match_indices('{')
                .filter_map(|(i, _)| t[i + 1..].find('}').map(|e| t[i + 1..i + 1 + e].to_owned()))
                .collect();
            out.sort();
            out
        };
        for w in ALL {
            let pairs = [
                (w.subject, ENGLISH.subject),
                (w.intro, ENGLISH.intro),
                (w.typed_note, ENGLISH.typed_note),
                (w.proof_enrolled, ENGLISH.proof_enrolled),
                (w.proof_unverified, ENGLISH.proof_unverified),
                (w.proof_enrolled_detail, ENGLISH.proof_enrolled_detail),
                (w.unverified_unsigned, ENGLISH.unverified_unsigned),
                (w.unverified_unknown_key, ENGLISH.unverified_unknown_key),
                (w.unverified_other_account, ENGLISH.unverified_other_account),
                (w.unverified_unreadable, ENGLISH.unverified_unreadable),
                (w.unverified_unrecorded, ENGLISH.unverified_unrecorded),
                (w.notice_sent, ENGLISH.notice_sent),
                (w.notice_recipient, ENGLISH.notice_recipient),
                (w.notice_pending, ENGLISH.notice_pending),
                (w.notice_retrying, ENGLISH.notice_retrying),
                (w.notice_failed, ENGLISH.notice_failed),
                (w.account, ENGLISH.account),
                (w.reason_detail, ENGLISH.reason_detail),
                (w.available, ENGLISH.available),
                (w.device, ENGLISH.device),
                (w.sent_at, ENGLISH.sent_at),
                (w.phrase, ENGLISH.phrase),
                (w.tenant, ENGLISH.tenant),
                (w.ignored_runbook, ENGLISH.ignored_runbook),
            ];
            for (theirs, english) in pairs {
                assert_eq!(names(theirs), names(english), "{}: {theirs}", w.tag);
            }
            assert!(
                w.subject.starts_with("[{id}] {verdict}"),
                "{}: the request id and verdict first",
                w.tag
            );
            assert!(
                crate::ticket::default_runbook_in(w.tag).is_some(),
                "{}",
                w.tag
            );
            assert_eq!(ticket_words(&w.tag.to_ascii_lowercase()), Some(w));
            // What the sender sent comes after the label that says so.
            for (template, sent) in [
                (w.proof_enrolled_detail, "{os}"),
                (w.unverified_unknown_key, "{key}"),
            ] {
                assert!(
                    template.find("{typed}").unwrap() < template.find(sent).unwrap(),
                    "{}: {template}",
                    w.tag
                );
            }
            for name in w.notice_channels.iter().chain([&w.list_and]) {
                assert!(!name.contains('{'), "{}: {name}", w.tag);
            }
        }
        assert_eq!(ticket_words("nl"), None);
        // An organisation's regional tag gets its language's words.
        for (tag, words) in [
            ("de-CH", "de"),
            ("DE-at", "de"),
            ("fr-CA", "fr"),
            ("es-MX", "es"),
            ("en-GB", "en"),
            ("ja-JP", "ja"),
            ("pt-PT", "pt-BR"),
            ("zh-CN", "zh-Hans"),
            ("zh-Hans-SG", "zh-Hans"),
        ] {
            assert_eq!(ticket_words(tag).map(|w| w.tag), Some(words), "{tag}");
        }
        // Traditional Chinese is not simplified Chinese.
        for tag in ["zh-TW", "zh-HK", "zh-Hant", "zh-Hant-TW", "nl-BE", "dee"] {
            assert_eq!(ticket_words(tag), None, "{tag}");
        }
    }

    /// Every reason a device is unverified, an enrolled device, and every
    /// state of the owner's notice (each channel) are worded in every
    /// language, with no English word left in a non-English ticket's line.
    #[test]
    fn every_language_words_every_reason_and_notice_with_no_english_left() {
        use crate::device_proof::{DeviceProof, UnverifiedReason};
        use crate::owner_notice::{NoticeRecipient, OwnerNotice, NOTICE_CHANNELS};

        let at = time::macros::datetime!(2026-03-01 09:30:05 UTC);
        let mut proofs: Vec<DeviceProof> = [
            UnverifiedReason::Unsigned,
            UnverifiedReason::UnknownKey {
                key_id: "dk-x".into(),
            },
            UnverifiedReason::OtherAccount {
                enrolled_for: "adele@contoso.example".into(),
            },
            UnverifiedReason::StoredProofUnreadable,
            UnverifiedReason::Unrecorded,
        ]
        .into_iter()
        .map(DeviceProof::unverified)
        .collect();
        proofs.push(DeviceProof::EnrolledDevice {
            key_id: "dk-1".into(),
            enrolled_at: at,
            enrolled_os: "Win".into(),
        });
        let notices = [
            OwnerNotice::Sent {
                to: NOTICE_CHANNELS
                    .iter()
                    .map(|&channel| NoticeRecipient {
                        address: "d***@contoso.example".into(),
                        channel,
                    })
                    .collect(),
                at,
            },
            OwnerNotice::Pending { retrying: false },
            OwnerNotice::Pending { retrying: true },
            OwnerNotice::Failed,
        ];
        let lines = |w: &TicketWords| -> Vec<String> {
            proofs
                .iter()
                .map(|p| p.line_in(w))
                .chain(notices.iter().map(|n| n.line_in(w)))
                .collect()
        };
        // The English words (4 letters or more) of each line, without the
        // values and the words other languages spell the same (German
        // Relay, Link, Version, Form, Computer, Person; Spanish personal).
        let words = |line: &str| -> Vec<String> {
            let line = [
                "d***@contoso.example",
                "adele@contoso.example",
                "dk-x",
                "dk-1",
                "Win",
            ]
            .iter()
            .fold(line.to_owned(), |l, v| l.replace(v, " "));
            line.split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 4)
                .map(str::to_ascii_lowercase)
                .filter(|w| !SHARED.contains(&w.as_str()))
                .collect()
        };
        const SHARED: [&str; 7] = [
            "relay", "link", "version", "form", "computer", "person", "personal",
        ];
        let english = lines(&ENGLISH);
        for w in ALL.iter().filter(|w| w.tag != "en") {
            for (theirs, ours) in lines(w).iter().zip(&english) {
                assert_ne!(theirs, ours, "{}", w.tag);
                assert!(!theirs.contains(['{', '}']), "{}: {theirs}", w.tag);
                let their_words = words(theirs);
                for word in words(ours) {
                    assert!(
                        !their_words.contains(&word),
                        "{}: English {word:?} in {theirs}",
                        w.tag
                    );
                }
            }
            for channel in NOTICE_CHANNELS {
                assert_ne!(w.channel(channel), ENGLISH.channel(channel), "{}", w.tag);
            }
        }
        // Each reason and channel has words of its own in every language.
        for w in ALL {
            let mut seen = std::collections::HashSet::new();
            for line in lines(w) {
                assert!(seen.insert(line.clone()), "{}: twice: {line}", w.tag);
            }
            let channels: std::collections::HashSet<_> =
                NOTICE_CHANNELS.iter().map(|c| w.channel(*c)).collect();
            assert_eq!(channels.len(), NOTICE_CHANNELS.len(), "{}", w.tag);
        }
    }
}
