//! The words of what the relay tells the account's owner, in each language
//! a relay can write tickets in (`[ticket] language`, the organisation's
//! language): the notice (an email) about a reset request or an enrolled
//! device, to the owner and to their manager; the "This wasn't me" pages
//! its link opens; and the note a dispute adds to the ticket. `{name}`
//! marks a value the relay fills in, in one pass ([`fill`]: a value is
//! never expanded again). English is the original; the others say the
//! same, in the register of the ticket's words ([`crate::ticket_words`])
//! and Microsoft's terms (Anmeldemethoden, méthodes de connexion, métodos de
//! inicio de sesión, サインイン方法, métodos de entrada, 登录方法).
//!
//! What a requester typed (the device's name) is quoted after words that
//! say it is the device's own claim, never worded as the relay's; the pages
//! escape every value themselves (`helpdesk-relay`'s `notify::pages`).
//! Dates and times stay RFC 3339 (UTC), the same in every language.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::ticket::{fill, relay_value};
use crate::typed::{forbidden, quoted};

/// One language's notice, page and note words (see the module's notes).
#[derive(Debug, PartialEq, Eq)]
pub struct NoticeWords {
    /// The BCP 47 tag (the pages' `<html lang>`).
    pub tag: &'static str,
    // The notice (plain text).
    /// The subject of a reset request's notice: `{upn}`.
    pub subject_reset: &'static str,
    /// The subject of an enrolment's notice: `{upn}`.
    pub subject_enrolment: &'static str,
    /// The first line to the owner: `{upn}`.
    pub to_owner: &'static str,
    /// The first line to the owner's manager: `{upn}`.
    pub to_manager: &'static str,
    /// What was asked: `{upn}`.
    pub reset_asked: &'static str,
    /// What was done: `{upn}`.
    pub enrolment_done: &'static str,
    /// `{when}` (RFC 3339).
    pub when: &'static str,
    /// `{source}` (the network address), `{device}`.
    pub from: &'static str,
    pub unknown_source: &'static str,
    /// The device as it names itself, `{device}` (quoted), after the words
    /// that say so.
    pub device_named: &'static str,
    pub unknown_device: &'static str,
    /// `{answer}`: [`NoticeWords::yes`] or [`NoticeWords::no`].
    pub enrolled_line: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    /// `{id}`: the relay's request id.
    pub request_line: &'static str,
    /// `{key}`: the relay's device key id.
    pub key_line: &'static str,
    pub reset_next: &'static str,
    pub enrolment_next: &'static str,
    /// Before the link.
    pub dispute_how: &'static str,
    /// After the link: `{contact}` (`[notify] helpdesk_contact`).
    pub link_once: &'static str,
    pub footer: &'static str,
    // The "This wasn't me" page (HTML; the relay escapes the words and the
    // values).
    pub ask_title: &'static str,
    /// `{upn}`, `{at}`, `{id}`.
    pub ask_reset: &'static str,
    /// `{upn}`, `{at}`, `{key}`.
    pub ask_enrolment: &'static str,
    pub ask_press: &'static str,
    pub ask_reset_effect: &'static str,
    pub ask_enrolment_effect: &'static str,
    /// The button.
    pub button: &'static str,
    pub ask_if_you: &'static str,
    pub used_title: &'static str,
    /// `{at}`: when the dispute was recorded.
    pub used_recorded: &'static str,
    pub used_nothing_more: &'static str,
    pub expired_title: &'static str,
    /// Followed by the helpdesk contact.
    pub expired: &'static str,
    pub unknown_title: &'static str,
    /// Followed by the helpdesk contact.
    pub unknown: &'static str,
    pub unavailable_title: &'static str,
    pub unavailable: &'static str,
    pub done_title: &'static str,
    pub done_reset: &'static str,
    pub done_enrolment: &'static str,
    /// Followed by the helpdesk contact.
    pub done_tell: &'static str,
    pub done_no_codes: &'static str,
    // The ticket's note.
    /// The note a dispute adds to the ticket: `{marker}` (the relay's
    /// language-neutral tag that keeps a note from being added twice,
    /// `DISPUTED BY OWNER [<request id>]`), `{at}`.
    pub dispute_note: &'static str,
}

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeAbout {
    /// A reset request was accepted.
    Reset,
    /// A device key was enrolled.
    Enrolment,
}

/// The facts a notice tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFacts<'a> {
    pub about: NoticeAbout,
    /// The account.
    pub upn: &'a str,
    /// The relay's request id, or its device key id.
    pub subject_id: &'a str,
    pub at: OffsetDateTime,
    /// The requester's network address, as the relay saw it.
    pub source: Option<&'a str>,
    /// The device as the request named it (typed, unverified).
    pub device: Option<&'a str>,
    /// Whether a key enrolled for this account signed the request.
    pub enrolled_device: bool,
}

/// A notice's subject and plain-text body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    pub subject: String,
    pub body: String,
}

/// `t` as RFC 3339, as every notice, page and note writes times.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_else(|_| t.to_string())
}

impl NoticeWords {
    /// The notice about `facts`, with the dispute `link` and the
    /// helpdesk's `contact`; to the owner's manager if `to_manager`.
    pub fn notice(
        &self,
        facts: &NoticeFacts,
        link: &str,
        contact: &str,
        to_manager: bool,
    ) -> NoticeText {
        let upn = [("upn", facts.upn)];
        let source = match facts.source {
            Some(source) => relay_value(source).into_owned(),
            None => self.unknown_source.to_owned(),
        };
        let device = match facts.device {
            Some(device) => {
                let shown: String = device.chars().filter(|c| forbidden(*c).is_none()).collect();
                fill(self.device_named, &[("device", &quoted(&shown))])
            }
            None => self.unknown_device.to_owned(),
        };
        let for_whom = fill(
            if to_manager {
                self.to_manager
            } else {
                self.to_owner
            },
            &upn,
        );
        let when = fill(self.when, &[("when", &rfc3339(facts.at))]);
        let from = fill(self.from, &[("source", &source), ("device", &device)]);
        let (subject, what, facts_lines, next) = match facts.about {
            NoticeAbout::Reset => (
                fill(self.subject_reset, &upn),
                fill(self.reset_asked, &upn),
                vec![
                    fill(
                        self.enrolled_line,
                        &[(
                            "answer",
                            if facts.enrolled_device {
                                self.yes
                            } else {
                                self.no
                            },
                        )],
                    ),
                    fill(self.request_line, &[("id", facts.subject_id)]),
                ],
                self.reset_next,
            ),
            NoticeAbout::Enrolment => (
                fill(self.subject_enrolment, &upn),
                fill(self.enrolment_done, &upn),
                vec![fill(self.key_line, &[("key", facts.subject_id)])],
                self.enrolment_next,
            ),
        };
        let mut lines = vec![for_whom, String::new(), what, when, from];
        lines.extend(facts_lines);
        lines.extend([
            String::new(),
            next.to_owned(),
            String::new(),
            self.dispute_how.to_owned(),
            link.to_owned(),
            fill(self.link_once, &[("contact", contact)]),
            String::new(),
            self.footer.to_owned(),
        ]);
        NoticeText {
            subject,
            body: lines.join("\n"),
        }
    }

    /// The note a dispute adds to the ticket: `marker` (which the note must
    /// hold, for the helpdesk adapters to find it), disputed at `at`.
    pub fn dispute_note(&self, marker: &str, at: OffsetDateTime) -> String {
        fill(
            self.dispute_note,
            &[("marker", marker), ("at", &rfc3339(at))],
        )
    }
}

/// The words of the language tagged `language` (any case), if the relay
/// has them.
pub fn notice_words(language: &str) -> Option<&'static NoticeWords> {
    let tag = crate::ticket_words::built_in_language(language)?;
    ALL.iter().copied().find(|w| w.tag == tag)
}

/// The words of `language`, else English (a language with a configured
/// runbook but no built-in words).
pub fn notice_words_or_english(language: &str) -> &'static NoticeWords {
    notice_words(language).unwrap_or(&ENGLISH)
}

const ALL: [&NoticeWords; 7] = [
    &ENGLISH,
    &GERMAN,
    &FRENCH,
    &SPANISH,
    &JAPANESE,
    &PORTUGUESE_BR,
    &CHINESE_HANS,
];

pub const ENGLISH: NoticeWords = NoticeWords {
    tag: "en",
    subject_reset: "Security notice: a reset of the sign-in methods of {upn} was requested",
    subject_enrolment: "Security notice: a device was linked to {upn}",
    to_owner: "This is about your work account {upn}.",
    to_manager: "You receive this because you are the manager of {upn}.",
    reset_asked: "Someone asked the IT helpdesk to reset the multi-factor sign-in methods of {upn}.",
    enrolment_done: "A computer was linked to {upn} in MFA Assistant: its reset requests will be marked as sent from an enrolled device.",
    when: "When: {when}",
    from: "From: {source}, {device}",
    unknown_source: "an unknown address",
    device_named: "a device that calls itself {device}",
    unknown_device: "an unknown device",
    enrolled_line: "Sent from a device enrolled for this account: {answer}",
    yes: "yes",
    no: "no",
    request_line: "Request: {id}",
    key_line: "Device key: {key}",
    reset_next: "What happens next: the helpdesk will call the account's owner back on the number in the company directory before changing anything. If you asked for this, you need do nothing.",
    enrolment_next: "What happens next: nothing, if this was you. If it was not, the link below removes the device at once.",
    dispute_how: "If this wasn't you (or the account's owner did not ask for it), open this link and press the button:",
    link_once: "The link works once. Then: {contact}",
    footer: "This message was sent by the MFA Assistant relay of your organisation. It never asks for a password or a code.",
    ask_title: "Was this you?",
    ask_reset: "Someone asked the helpdesk to reset the sign-in methods of {upn} at {at} (request {id}).",
    ask_enrolment: "A device was linked to {upn} at {at} (device key {key}).",
    ask_press: "If you did not ask for this, press the button.",
    ask_reset_effect: "The helpdesk is told at once to treat the request as an attack and not to reset anything.",
    ask_enrolment_effect: "The device is removed at once: its requests will no longer count as sent from an enrolled device.",
    button: "This wasn't me",
    ask_if_you: "If it was you, close this page: nothing changes.",
    used_title: "This link was already used",
    used_recorded: "The dispute was recorded at {at}; the helpdesk has been told not to reset the account.",
    used_nothing_more: "Nothing more happens from this link.",
    expired_title: "This link has expired",
    expired: "The link in the security notice works for a limited time, and that time is over. Nothing was changed. If you did not ask for this, call the helpdesk now:",
    unknown_title: "This link is not known",
    unknown: "The relay has no dispute link like this one. Nothing was changed. Check that the whole link from the security notice was opened, or call the helpdesk:",
    unavailable_title: "Please try again in a minute",
    unavailable: "The relay cannot reach its database right now. Nothing was changed. Open the link again in a minute, or call the helpdesk.",
    done_title: "Thank you: it is stopped",
    done_reset: "The request is marked as disputed, and the helpdesk is told to treat it as an attack and not to reset your sign-in methods.",
    done_enrolment: "The device was removed from your account.",
    done_tell: "Someone may be trying to take over your account. Please also tell the helpdesk yourself:",
    done_no_codes: "Do not give anyone a code or password you receive.",
    dispute_note: "{marker}: The account's owner disputes this request: treat it as an attack, do not reset. The owner used the link in the relay's notice at {at}. Do not issue a Temporary Access Pass or reset any method; alert security.",
};

const GERMAN: NoticeWords = NoticeWords {
    tag: "de",
    subject_reset: "Sicherheitshinweis: Für {upn} wurde das Zurücksetzen der Anmeldemethoden angefordert",
    subject_enrolment: "Sicherheitshinweis: Ein Gerät wurde mit {upn} verknüpft",
    to_owner: "Es geht um Ihr Geschäftskonto {upn}.",
    to_manager: "Sie erhalten diese Nachricht, weil Sie die Führungskraft von {upn} sind.",
    reset_asked: "Jemand hat beim IT-Helpdesk angefordert, die Anmeldemethoden der mehrstufigen Authentifizierung von {upn} zurückzusetzen.",
    enrolment_done: "Ein Computer wurde in MFA Assistant mit {upn} verknüpft: Seine Anfragen zum Zurücksetzen werden als von einem registrierten Gerät gesendet gekennzeichnet.",
    when: "Wann: {when}",
    from: "Von: {source}, {device}",
    unknown_source: "eine unbekannte Adresse",
    device_named: "ein Gerät, das sich selbst so nennt: {device}",
    unknown_device: "ein unbekanntes Gerät",
    enrolled_line: "Von einem für dieses Konto registrierten Gerät gesendet: {answer}",
    yes: "ja",
    no: "nein",
    request_line: "Anfrage: {id}",
    key_line: "Geräteschlüssel: {key}",
    reset_next: "Wie es weitergeht: Der Helpdesk ruft den Kontoinhaber unter der Nummer im Firmenverzeichnis zurück, bevor er etwas ändert. Wenn Sie dies angefordert haben, müssen Sie nichts tun.",
    enrolment_next: "Wie es weitergeht: nichts, wenn Sie das waren. Wenn nicht, entfernt der Link unten das Gerät sofort.",
    dispute_how: "Wenn Sie das nicht waren (oder der Kontoinhaber dies nicht angefordert hat), öffnen Sie diesen Link, und klicken Sie auf die Schaltfläche:",
    link_once: "Der Link funktioniert nur einmal. Danach: {contact}",
    footer: "Diese Nachricht wurde vom MFA Assistant-Relay Ihrer Organisation gesendet. Es fragt nie nach einem Kennwort oder einem Code.",
    ask_title: "Waren Sie das?",
    ask_reset: "Jemand hat am {at} beim Helpdesk angefordert, die Anmeldemethoden von {upn} zurückzusetzen (Anfrage {id}).",
    ask_enrolment: "Am {at} wurde ein Gerät mit {upn} verknüpft (Geräteschlüssel {key}).",
    ask_press: "Wenn Sie dies nicht angefordert haben, klicken Sie auf die Schaltfläche.",
    ask_reset_effect: "Der Helpdesk wird sofort angewiesen, die Anfrage als Angriff zu behandeln und nichts zurückzusetzen.",
    ask_enrolment_effect: "Das Gerät wird sofort entfernt: Seine Anfragen gelten nicht mehr als von einem registrierten Gerät gesendet.",
    button: "Das war ich nicht",
    ask_if_you: "Wenn Sie es waren, schließen Sie diese Seite: Es ändert sich nichts.",
    used_title: "Dieser Link wurde bereits verwendet",
    used_recorded: "Der Einspruch wurde am {at} erfasst; der Helpdesk wurde angewiesen, das Konto nicht zurückzusetzen.",
    used_nothing_more: "Über diesen Link geschieht nichts weiter.",
    expired_title: "Dieser Link ist abgelaufen",
    expired: "Der Link im Sicherheitshinweis funktioniert nur eine begrenzte Zeit, und diese ist vorbei. Es wurde nichts geändert. Wenn Sie dies nicht angefordert haben, rufen Sie jetzt den Helpdesk an:",
    unknown_title: "Dieser Link ist nicht bekannt",
    unknown: "Das Relay kennt keinen solchen Einspruchslink. Es wurde nichts geändert. Prüfen Sie, ob der ganze Link aus dem Sicherheitshinweis geöffnet wurde, oder rufen Sie den Helpdesk an:",
    unavailable_title: "Bitte versuchen Sie es gleich noch einmal",
    unavailable: "Das Relay erreicht seine Datenbank gerade nicht. Es wurde nichts geändert. Öffnen Sie den Link in Kürze erneut, oder rufen Sie den Helpdesk an.",
    done_title: "Vielen Dank: Der Vorgang ist gestoppt",
    done_reset: "Die Anfrage ist als bestritten gekennzeichnet, und der Helpdesk ist angewiesen, sie als Angriff zu behandeln und Ihre Anmeldemethoden nicht zurückzusetzen.",
    done_enrolment: "Das Gerät wurde von Ihrem Konto entfernt.",
    done_tell: "Möglicherweise versucht jemand, Ihr Konto zu übernehmen. Bitte informieren Sie auch selbst den Helpdesk:",
    done_no_codes: "Geben Sie keinen Code und kein Kennwort, die Sie erhalten, an andere weiter.",
    dispute_note: "VOM INHABER BESTRITTEN: Der Kontoinhaber bestreitet diese Anfrage. Behandeln Sie sie als Angriff: Nicht zurücksetzen. Der Inhaber hat am {at} den Link in der Benachrichtigung des Relays verwendet. Stellen Sie keinen Befristeten Zugriffspass aus, setzen Sie keine Methode zurück, und alarmieren Sie die Sicherheitsabteilung. (Kennzeichen des Relays: {marker})",
};

const FRENCH: NoticeWords = NoticeWords {
    tag: "fr",
    subject_reset: "Avis de sécurité\u{a0}: une réinitialisation des méthodes de connexion de {upn} a été demandée",
    subject_enrolment: "Avis de sécurité\u{a0}: un appareil a été associé à {upn}",
    to_owner: "Ce message concerne votre compte professionnel {upn}.",
    to_manager: "Vous recevez ce message parce que vous êtes le responsable de {upn}.",
    reset_asked: "Quelqu’un a demandé au support informatique de réinitialiser les méthodes de connexion de l’authentification multifacteur de {upn}.",
    enrolment_done: "Un ordinateur a été associé à {upn} dans MFA Assistant\u{a0}: ses demandes de réinitialisation seront marquées comme envoyées depuis un appareil inscrit.",
    when: "Quand\u{a0}: {when}",
    from: "Origine\u{a0}: {source}, {device}",
    unknown_source: "une adresse inconnue",
    device_named: "un appareil qui se présente sous le nom {device}",
    unknown_device: "un appareil inconnu",
    enrolled_line: "Envoyée depuis un appareil inscrit pour ce compte\u{a0}: {answer}",
    yes: "oui",
    no: "non",
    request_line: "Demande\u{a0}: {id}",
    key_line: "Clé d’appareil\u{a0}: {key}",
    reset_next: "Et ensuite\u{a0}: le support rappellera le titulaire du compte au numéro de l’annuaire de l’entreprise avant de modifier quoi que ce soit. Si vous avez fait cette demande, vous n’avez rien à faire.",
    enrolment_next: "Et ensuite\u{a0}: rien, si c’était vous. Sinon, le lien ci-dessous supprime l’appareil immédiatement.",
    dispute_how: "Si ce n’était pas vous (ou si le titulaire du compte ne l’a pas demandé), ouvrez ce lien et appuyez sur le bouton\u{a0}:",
    link_once: "Le lien ne fonctionne qu’une fois. Ensuite\u{a0}: {contact}",
    footer: "Ce message a été envoyé par le relais MFA Assistant de votre organisation. Il ne demande jamais de mot de passe ni de code.",
    ask_title: "Était-ce vous\u{a0}?",
    ask_reset: "Quelqu’un a demandé au support de réinitialiser les méthodes de connexion de {upn} le {at} (demande {id}).",
    ask_enrolment: "Un appareil a été associé à {upn} le {at} (clé d’appareil {key}).",
    ask_press: "Si vous n’avez pas fait cette demande, appuyez sur le bouton.",
    ask_reset_effect: "Le support est aussitôt averti de traiter la demande comme une attaque et de ne rien réinitialiser.",
    ask_enrolment_effect: "L’appareil est aussitôt supprimé\u{a0}: ses demandes ne compteront plus comme envoyées depuis un appareil inscrit.",
    button: "Ce n’était pas moi",
    ask_if_you: "Si c’était vous, fermez cette page\u{a0}: rien ne change.",
    used_title: "Ce lien a déjà été utilisé",
    used_recorded: "La contestation a été enregistrée le {at}\u{202f}; le support a été averti de ne pas réinitialiser le compte.",
    used_nothing_more: "Ce lien ne déclenche plus rien.",
    expired_title: "Ce lien a expiré",
    expired: "Le lien de l’avis de sécurité fonctionne pendant une durée limitée, et cette durée est écoulée. Rien n’a été modifié. Si vous n’avez pas fait cette demande, appelez le support maintenant\u{a0}:",
    unknown_title: "Ce lien est inconnu",
    unknown: "Le relais ne connaît aucun lien de contestation comme celui-ci. Rien n’a été modifié. Vérifiez que le lien complet de l’avis de sécurité a été ouvert, ou appelez le support\u{a0}:",
    unavailable_title: "Veuillez réessayer dans quelques instants",
    unavailable: "Le relais ne peut pas joindre sa base de données pour le moment. Rien n’a été modifié. Rouvrez le lien dans quelques instants, ou appelez le support.",
    done_title: "Merci\u{a0}: c’est arrêté",
    done_reset: "La demande est marquée comme contestée, et le support est averti de la traiter comme une attaque et de ne pas réinitialiser vos méthodes de connexion.",
    done_enrolment: "L’appareil a été supprimé de votre compte.",
    done_tell: "Quelqu’un essaie peut-être de prendre le contrôle de votre compte. Prévenez aussi le support vous-même\u{a0}:",
    done_no_codes: "Ne donnez à personne un code ou un mot de passe que vous recevez.",
    dispute_note: "CONTESTÉE PAR LE TITULAIRE\u{a0}: le titulaire du compte conteste cette demande. Traitez-la comme une attaque\u{a0}: ne réinitialisez rien. Le titulaire a utilisé le lien de l’avis du relais le {at}. Ne délivrez pas de Passe d’accès temporaire et ne réinitialisez aucune méthode\u{202f}; alertez la sécurité. (Marqueur du relais\u{a0}: {marker})",
};

const SPANISH: NoticeWords = NoticeWords {
    tag: "es",
    subject_reset: "Aviso de seguridad: se ha solicitado restablecer los métodos de inicio de sesión de {upn}",
    subject_enrolment: "Aviso de seguridad: se ha vinculado un dispositivo a {upn}",
    to_owner: "Este mensaje trata sobre su cuenta profesional {upn}.",
    to_manager: "Recibe este mensaje porque es el responsable de {upn}.",
    reset_asked: "Alguien ha pedido al soporte técnico que restablezca los métodos de inicio de sesión de la autenticación multifactor de {upn}.",
    enrolment_done: "Se ha vinculado un equipo a {upn} en MFA Assistant: sus solicitudes de restablecimiento se marcarán como enviadas desde un dispositivo inscrito.",
    when: "Cuándo: {when}",
    from: "Desde: {source}, {device}",
    unknown_source: "una dirección desconocida",
    device_named: "un dispositivo que se hace llamar {device}",
    unknown_device: "un dispositivo desconocido",
    enrolled_line: "Enviada desde un dispositivo inscrito para esta cuenta: {answer}",
    yes: "sí",
    no: "no",
    request_line: "Solicitud: {id}",
    key_line: "Clave de dispositivo: {key}",
    reset_next: "Qué pasa ahora: el soporte técnico devolverá la llamada al titular de la cuenta al número del directorio de la empresa antes de cambiar nada. Si usted lo pidió, no tiene que hacer nada.",
    enrolment_next: "Qué pasa ahora: nada, si fue usted. Si no, el enlace de abajo quita el dispositivo de inmediato.",
    dispute_how: "Si no fue usted (o el titular de la cuenta no lo pidió), abra este enlace y pulse el botón:",
    link_once: "El enlace funciona una sola vez. Después: {contact}",
    footer: "Este mensaje lo envió el relé de MFA Assistant de su organización. Nunca pide una contraseña ni un código.",
    ask_title: "¿Fue usted?",
    ask_reset: "Alguien pidió al soporte técnico que restableciera los métodos de inicio de sesión de {upn} el {at} (solicitud {id}).",
    ask_enrolment: "Se vinculó un dispositivo a {upn} el {at} (clave de dispositivo {key}).",
    ask_press: "Si usted no lo pidió, pulse el botón.",
    ask_reset_effect: "Se indica de inmediato al soporte técnico que trate la solicitud como un ataque y no restablezca nada.",
    ask_enrolment_effect: "El dispositivo se quita de inmediato: sus solicitudes dejarán de contar como enviadas desde un dispositivo inscrito.",
    button: "No fui yo",
    ask_if_you: "Si fue usted, cierre esta página: no cambia nada.",
    used_title: "Este enlace ya se usó",
    used_recorded: "La impugnación se registró el {at}; se indicó al soporte técnico que no restablezca la cuenta.",
    used_nothing_more: "Este enlace ya no hace nada más.",
    expired_title: "Este enlace ha caducado",
    expired: "El enlace del aviso de seguridad funciona durante un tiempo limitado, y ese tiempo ha terminado. No se cambió nada. Si usted no lo pidió, llame ahora al soporte técnico:",
    unknown_title: "Este enlace no se reconoce",
    unknown: "El relé no tiene ningún enlace de impugnación como este. No se cambió nada. Compruebe que se abrió el enlace completo del aviso de seguridad, o llame al soporte técnico:",
    unavailable_title: "Vuelva a intentarlo en un minuto",
    unavailable: "El relé no puede acceder a su base de datos en este momento. No se cambió nada. Vuelva a abrir el enlace en un minuto, o llame al soporte técnico.",
    done_title: "Gracias: se ha detenido",
    done_reset: "La solicitud está marcada como impugnada, y se indica al soporte técnico que la trate como un ataque y no restablezca sus métodos de inicio de sesión.",
    done_enrolment: "El dispositivo se quitó de su cuenta.",
    done_tell: "Puede que alguien esté intentando apoderarse de su cuenta. Avise también usted mismo al soporte técnico:",
    done_no_codes: "No le dé a nadie ningún código ni contraseña que reciba.",
    dispute_note: "IMPUGNADA POR EL TITULAR: el titular de la cuenta impugna esta solicitud. Trátela como un ataque: no restablezca nada. El titular usó el enlace del aviso del relé el {at}. No emita un Pase de acceso temporal ni restablezca ningún método; avise a seguridad. (Marcador del relé: {marker})",
};

const JAPANESE: NoticeWords = NoticeWords {
    tag: "ja",
    subject_reset: "セキュリティ通知: {upn} のサインイン方法のリセットが要求されました",
    subject_enrolment: "セキュリティ通知: デバイスが {upn} にリンクされました",
    to_owner: "これはあなたの職場アカウント {upn} に関するお知らせです。",
    to_manager: "あなたは {upn} の上司であるため、このメッセージを受け取っています。",
    reset_asked: "誰かが IT ヘルプデスクに、{upn} の多要素認証のサインイン方法のリセットを依頼しました。",
    enrolment_done: "MFA Assistant でコンピューターが {upn} にリンクされました。今後、このコンピューターからのリセット要求は、登録済みデバイスから送信されたものとして扱われます。",
    when: "日時: {when}",
    from: "送信元: {source}、{device}",
    unknown_source: "不明なアドレス",
    device_named: "デバイス (自己申告の名前、未確認): {device}",
    unknown_device: "不明なデバイス",
    enrolled_line: "このアカウントに登録済みのデバイスからの送信: {answer}",
    yes: "はい",
    no: "いいえ",
    request_line: "要求: {id}",
    key_line: "デバイス キー: {key}",
    reset_next: "今後の流れ: ヘルプデスクは、何かを変更する前に、社内ディレクトリの番号でアカウントの所有者に折り返し電話します。ご自身で依頼した場合は、何もする必要はありません。",
    enrolment_next: "今後の流れ: ご自身によるものであれば、何もする必要はありません。そうでない場合は、下のリンクからデバイスをすぐに削除できます。",
    dispute_how: "心当たりがない場合 (またはアカウントの所有者が依頼していない場合) は、このリンクを開いてボタンを押してください:",
    link_once: "このリンクは 1 回だけ使用できます。その後: {contact}",
    footer: "このメッセージは、組織の MFA Assistant リレーから送信されました。パスワードやコードを尋ねることは決してありません。",
    ask_title: "これはあなたですか?",
    ask_reset: "{at} に、誰かがヘルプデスクに {upn} のサインイン方法のリセットを依頼しました (要求 {id})。",
    ask_enrolment: "{at} に、デバイスが {upn} にリンクされました (デバイス キー {key})。",
    ask_press: "心当たりがない場合は、ボタンを押してください。",
    ask_reset_effect: "ヘルプデスクには直ちに、この要求を攻撃として扱い、何もリセットしないよう伝えられます。",
    ask_enrolment_effect: "デバイスは直ちに削除され、その要求は登録済みデバイスから送信されたものとして扱われなくなります。",
    button: "私ではありません",
    ask_if_you: "ご自身によるものであれば、このページを閉じてください。何も変わりません。",
    used_title: "このリンクは既に使用されています",
    used_recorded: "異議は {at} に記録され、ヘルプデスクにはアカウントをリセットしないよう伝えられています。",
    used_nothing_more: "このリンクからこれ以上の操作は行われません。",
    expired_title: "このリンクの有効期限が切れています",
    expired: "セキュリティ通知のリンクの有効期間は限られており、その期間は終了しました。何も変更されていません。心当たりがない場合は、今すぐヘルプデスクに電話してください:",
    unknown_title: "このリンクは認識されません",
    unknown: "リレーにはこのような異議申し立てリンクはありません。何も変更されていません。セキュリティ通知のリンク全体を開いたか確認するか、ヘルプデスクに電話してください:",
    unavailable_title: "1 分後にもう一度お試しください",
    unavailable: "リレーは現在データベースに接続できません。何も変更されていません。1 分後にもう一度リンクを開くか、ヘルプデスクに電話してください。",
    done_title: "ありがとうございます: 停止しました",
    done_reset: "要求は異議ありとしてマークされ、ヘルプデスクにはこれを攻撃として扱い、あなたのサインイン方法をリセットしないよう伝えられます。",
    done_enrolment: "デバイスはあなたのアカウントから削除されました。",
    done_tell: "誰かがあなたのアカウントを乗っ取ろうとしている可能性があります。ご自身でもヘルプデスクに連絡してください:",
    done_no_codes: "受け取ったコードやパスワードは誰にも教えないでください。",
    dispute_note: "所有者が否認: アカウントの所有者がこの要求に異議を申し立てています。攻撃として扱い、リセットしないでください。所有者は {at} にリレーの通知のリンクを使用しました。一時アクセス パスを発行せず、どの方法もリセットせず、セキュリティ担当に連絡してください。(リレーの識別子: {marker})",
};

const PORTUGUESE_BR: NoticeWords = NoticeWords {
    tag: "pt-BR",
    subject_reset: "Aviso de segurança: foi pedida a redefinição dos métodos de entrada de {upn}",
    subject_enrolment: "Aviso de segurança: um dispositivo foi vinculado a {upn}",
    to_owner: "Esta mensagem é sobre a sua conta corporativa {upn}.",
    to_manager: "Você recebeu esta mensagem porque é o gestor de {upn}.",
    reset_asked: "Alguém pediu ao suporte técnico de TI que redefinisse os métodos de entrada da autenticação multifator de {upn}.",
    enrolment_done: "Um computador foi vinculado a {upn} no MFA Assistant: os pedidos de redefinição dele serão marcados como enviados de um dispositivo registrado.",
    when: "Quando: {when}",
    from: "Origem: {source}, {device}",
    unknown_source: "um endereço desconhecido",
    device_named: "um dispositivo que se identifica como {device}",
    unknown_device: "um dispositivo desconhecido",
    enrolled_line: "Enviado de um dispositivo registrado para esta conta: {answer}",
    yes: "sim",
    no: "não",
    request_line: "Pedido: {id}",
    key_line: "Chave do dispositivo: {key}",
    reset_next: "O que acontece agora: o suporte técnico vai ligar de volta para o titular da conta no número do diretório da empresa antes de alterar qualquer coisa. Se foi você quem pediu, não precisa fazer nada.",
    enrolment_next: "O que acontece agora: nada, se foi você. Se não foi, o link abaixo remove o dispositivo na hora.",
    dispute_how: "Se não foi você (ou se o titular da conta não pediu isto), abra este link e clique no botão:",
    link_once: "O link funciona uma única vez. Depois: {contact}",
    footer: "Esta mensagem foi enviada pela retransmissão do MFA Assistant da sua organização. Ela nunca pede senha nem código.",
    ask_title: "Foi você?",
    ask_reset: "Alguém pediu ao suporte técnico que redefinisse os métodos de entrada de {upn} em {at} (pedido {id}).",
    ask_enrolment: "Um dispositivo foi vinculado a {upn} em {at} (chave do dispositivo {key}).",
    ask_press: "Se você não pediu isto, clique no botão.",
    ask_reset_effect: "O suporte técnico é avisado na hora para tratar o pedido como um ataque e não redefinir nada.",
    ask_enrolment_effect: "O dispositivo é removido na hora: os pedidos dele deixarão de contar como enviados de um dispositivo registrado.",
    button: "Não fui eu",
    ask_if_you: "Se foi você, feche esta página: nada muda.",
    used_title: "Este link já foi usado",
    used_recorded: "A contestação foi registrada em {at}; o suporte técnico foi avisado para não redefinir a conta.",
    used_nothing_more: "Este link não faz mais nada.",
    expired_title: "Este link expirou",
    expired: "O link do aviso de segurança funciona por tempo limitado, e esse tempo acabou. Nada foi alterado. Se você não pediu isto, ligue agora para o suporte técnico:",
    unknown_title: "Este link não é reconhecido",
    unknown: "A retransmissão não tem nenhum link de contestação como este. Nada foi alterado. Verifique se o link completo do aviso de segurança foi aberto, ou ligue para o suporte técnico:",
    unavailable_title: "Tente novamente em um minuto",
    unavailable: "A retransmissão não consegue acessar o banco de dados agora. Nada foi alterado. Abra o link de novo em um minuto, ou ligue para o suporte técnico.",
    done_title: "Obrigado: foi interrompido",
    done_reset: "O pedido está marcado como contestado, e o suporte técnico foi avisado para tratá-lo como um ataque e não redefinir os seus métodos de entrada.",
    done_enrolment: "O dispositivo foi removido da sua conta.",
    done_tell: "Alguém pode estar tentando assumir o controle da sua conta. Avise também você mesmo o suporte técnico:",
    done_no_codes: "Não passe para ninguém um código ou uma senha que você receber.",
    dispute_note: "CONTESTADO PELO TITULAR: o titular da conta contesta este pedido. Trate-o como um ataque: não redefina nada. O titular usou o link do aviso da retransmissão em {at}. Não emita um Passe de Acesso Temporário nem redefina nenhum método; alerte a segurança. (Marcador da retransmissão: {marker})",
};

const CHINESE_HANS: NoticeWords = NoticeWords {
    tag: "zh-Hans",
    subject_reset: "安全通知: 有人请求重置 {upn} 的登录方法",
    subject_enrolment: "安全通知: 有设备已链接到 {upn}",
    to_owner: "此邮件与你的工作帐户 {upn} 有关。",
    to_manager: "你收到此邮件，是因为你是 {upn} 的经理。",
    reset_asked: "有人请求 IT 帮助台重置 {upn} 的多重身份验证登录方法。",
    enrolment_done: "一台计算机已在 MFA Assistant 中链接到 {upn}: 它发出的重置请求将被标记为从已注册设备发送。",
    when: "时间: {when}",
    from: "来源: {source}，{device}",
    unknown_source: "未知地址",
    device_named: "设备（自称的名称，未经核实）: {device}",
    unknown_device: "未知设备",
    enrolled_line: "从为此帐户注册的设备发送: {answer}",
    yes: "是",
    no: "否",
    request_line: "请求: {id}",
    key_line: "设备密钥: {key}",
    reset_next: "接下来: 帮助台在做任何更改之前，会拨打公司通讯录中的号码回电给帐户所有者。如果此请求是你本人提出的，则无需执行任何操作。",
    enrolment_next: "接下来: 如果是你本人操作的，则无需执行任何操作。如果不是，下面的链接会立即删除该设备。",
    dispute_how: "如果这不是你本人（或帐户所有者并未提出此请求），请打开此链接并按下按钮:",
    link_once: "此链接只能使用一次。之后: {contact}",
    footer: "此邮件由你所在组织的 MFA Assistant 中继发送。它绝不会索要密码或验证码。",
    ask_title: "是你本人吗？",
    ask_reset: "有人于 {at} 请求帮助台重置 {upn} 的登录方法（请求 {id}）。",
    ask_enrolment: "有设备于 {at} 链接到 {upn}（设备密钥 {key}）。",
    ask_press: "如果你并未提出此请求，请按下按钮。",
    ask_reset_effect: "帮助台会立即收到通知: 将此请求视为攻击，不重置任何内容。",
    ask_enrolment_effect: "该设备会被立即删除: 它的请求将不再被视为从已注册设备发送。",
    button: "这不是我",
    ask_if_you: "如果是你本人，请关闭此页面: 不会有任何更改。",
    used_title: "此链接已被使用",
    used_recorded: "异议已于 {at} 记录；帮助台已收到通知，不得重置该帐户。",
    used_nothing_more: "此链接不会再执行任何操作。",
    expired_title: "此链接已过期",
    expired: "安全通知中的链接仅在有限时间内有效，该时间已过。未做任何更改。如果你并未提出此请求，请立即致电帮助台:",
    unknown_title: "无法识别此链接",
    unknown: "中继没有这样的异议链接。未做任何更改。请检查是否打开了安全通知中的完整链接，或致电帮助台:",
    unavailable_title: "请在一分钟后重试",
    unavailable: "中继目前无法连接到其数据库。未做任何更改。请在一分钟后再次打开链接，或致电帮助台。",
    done_title: "谢谢: 已停止",
    done_reset: "该请求已被标记为有异议，帮助台已收到通知: 将其视为攻击，不重置你的登录方法。",
    done_enrolment: "该设备已从你的帐户中删除。",
    done_tell: "可能有人正试图接管你的帐户。请你本人也告知帮助台:",
    done_no_codes: "不要将你收到的任何验证码或密码告诉任何人。",
    dispute_note: "帐户所有者有异议: 帐户所有者对此请求提出异议。请将其视为攻击: 不要重置。所有者于 {at} 使用了中继通知中的链接。请勿发放临时访问密码，也不要重置任何方法；请通知安全团队。（中继标记: {marker}）",
};

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// Every field but the tag, by name.
    fn fields(w: &NoticeWords) -> Vec<(&'static str, &'static str)> {
        vec![
            ("subject_reset", w.subject_reset),
            ("subject_enrolment", w.subject_enrolment),
            ("to_owner", w.to_owner),
            ("to_manager", w.to_manager),
            ("reset_asked", w.reset_asked),
            ("enrolment_done", w.enrolment_done),
            ("when", w.when),
            ("from", w.from),
            ("unknown_source", w.unknown_source),
            ("device_named", w.device_named),
            ("unknown_device", w.unknown_device),
            ("enrolled_line", w.enrolled_line),
            ("yes", w.yes),
            ("no", w.no),
            ("request_line", w.request_line),
            ("key_line", w.key_line),
            ("reset_next", w.reset_next),
            ("enrolment_next", w.enrolment_next),
            ("dispute_how", w.dispute_how),
            ("link_once", w.link_once),
            ("footer", w.footer),
            ("ask_title", w.ask_title),
            ("ask_reset", w.ask_reset),
            ("ask_enrolment", w.ask_enrolment),
            ("ask_press", w.ask_press),
            ("ask_reset_effect", w.ask_reset_effect),
            ("ask_enrolment_effect", w.ask_enrolment_effect),
            ("button", w.button),
            ("ask_if_you", w.ask_if_you),
            ("used_title", w.used_title),
            ("used_recorded", w.used_recorded),
            ("used_nothing_more", w.used_nothing_more),
            ("expired_title", w.expired_title),
            ("expired", w.expired),
            ("unknown_title", w.unknown_title),
            ("unknown", w.unknown),
            ("unavailable_title", w.unavailable_title),
            ("unavailable", w.unavailable),
            ("done_title", w.done_title),
            ("done_reset", w.done_reset),
            ("done_enrolment", w.done_enrolment),
            ("done_tell", w.done_tell),
            ("done_no_codes", w.done_no_codes),
            ("dispute_note", w.dispute_note),
        ]
    }

    fn names(t: &str) -> Vec<String> {
        let mut out: Vec<String> = t
            .match_indices('{')
            .filter_map(|(i, _)| t[i + 1..].find('}').map(|e| t[i + 1..i + 1 + e].to_owned()))
            .collect();
        out.sort();
        out
    }

    const UPN: &str = "dana@contoso.example";
    const LINK: &str = "https://relay.contoso.example/dispute/AbC-123_xyz";
    const CONTACT: &str = "Call the IT service desk on +44 20 7946 0000";
    const MARKER: &str = "DISPUTED BY OWNER [rr-1]";
    const AT: OffsetDateTime = datetime!(2026-03-01 09:30:05 UTC);

    fn facts(about: NoticeAbout, known: bool, enrolled_device: bool) -> NoticeFacts<'static> {
        NoticeFacts {
            about,
            upn: UPN,
            subject_id: if about == NoticeAbout::Reset {
                "rr-1"
            } else {
                "dk-1"
            },
            at: AT,
            source: known.then_some("203.0.113.9"),
            device: known.then_some("Windows 11"),
            enrolled_device,
        }
    }

    /// Everything a language says, filled as the relay fills it: each
    /// kind of notice to the owner and to the manager (with and without
    /// a known address and device, from an enrolled device or not), each
    /// sentence of the pages, and the dispute note.
    fn everything(w: &NoticeWords) -> Vec<String> {
        let mut out = Vec::new();
        for about in [NoticeAbout::Reset, NoticeAbout::Enrolment] {
            for to_manager in [false, true] {
                for known in [false, true] {
                    for enrolled in [false, true] {
                        let text =
                            w.notice(&facts(about, known, enrolled), LINK, CONTACT, to_manager);
                        out.push(text.subject);
                        out.push(text.body);
                    }
                }
            }
        }
        let values = [
            ("upn", UPN),
            ("at", "2026-03-01T09:30:05Z"),
            ("id", "rr-1"),
            ("key", "dk-1"),
        ];
        for (name, template) in fields(w) {
            if name.starts_with("ask_")
                || name.starts_with("used_")
                || name.starts_with("expired")
                || name.starts_with("unknown")
                || name.starts_with("unavailable")
                || name.starts_with("done_")
                || name == "button"
            {
                out.push(fill(template, &values));
            }
        }
        out.push(w.dispute_note(MARKER, AT));
        out
    }

    /// The English words (4 letters or more) of `line`, without the values
    /// and the product's name, and without the words the language spells
    /// the same (Relay, Link, Code, Computer, Organisation; German
    /// Helpdesk, French page and message).
    fn words(line: &str, tag: &str) -> Vec<String> {
        let line = [
            CONTACT,
            MARKER,
            LINK,
            UPN,
            "MFA Assistant",
            "Windows 11",
            "203.0.113.9",
        ]
        .iter()
        .fold(line.to_owned(), |l, v| l.replace(v, " "));
        let shared: &[&str] = match tag {
            "de" => &["helpdesk"],
            "fr" => &["page", "message"],
            _ => &[],
        };
        line.split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() >= 4)
            .map(str::to_ascii_lowercase)
            .filter(|w| {
                !["relay", "link", "code", "computer", "organisation"].contains(&w.as_str())
                    && !shared.contains(&w.as_str())
            })
            .collect()
    }

    #[test]
    fn every_language_fills_the_same_values_as_english() {
        for w in ALL {
            for ((name, theirs), (_, english)) in fields(w).into_iter().zip(fields(&ENGLISH)) {
                assert_eq!(names(theirs), names(english), "{} {name}: {theirs}", w.tag);
                assert!(!theirs.trim().is_empty(), "{} {name}", w.tag);
            }
            // The device's own name comes after the words that say so.
            assert!(w.device_named.trim_end().ends_with("{device}"), "{}", w.tag);
            // The note holds the marker the helpdesk adapters look for.
            assert_eq!(w.dispute_note.matches("{marker}").count(), 1, "{}", w.tag);
            assert_eq!(notice_words(&w.tag.to_ascii_lowercase()), Some(w));
            assert_eq!(notice_words(&w.tag.to_ascii_uppercase()), Some(w));
        }
        // The notice speaks every language the ticket does.
        for tag in ["en", "de", "fr", "es", "ja", "pt-BR", "zh-Hans"] {
            assert!(crate::ticket_words::ticket_words(tag).is_some(), "{tag}");
            assert_eq!(notice_words(tag).map(|w| w.tag), Some(tag));
        }
        assert_eq!(notice_words("nl"), None);
        assert_eq!(notice_words_or_english("nl").tag, "en");
    }

    /// Every notice kind, to the owner and the manager, every page state
    /// and the dispute note are worded in every language, with no
    /// `{placeholder}` and no English word left in a non-English one.
    #[test]
    fn every_language_words_every_notice_page_and_note_with_no_english_left() {
        let english = everything(&ENGLISH);
        for w in ALL {
            for text in everything(w) {
                assert!(!text.contains(['{', '}']), "{}: {text}", w.tag);
            }
        }
        for w in ALL.iter().filter(|w| w.tag != "en") {
            let theirs = everything(w);
            assert_eq!(theirs.len(), english.len());
            let mut left = std::collections::BTreeSet::new();
            for (theirs, ours) in theirs.iter().zip(&english) {
                assert_ne!(theirs, ours, "{}", w.tag);
                let their_words = words(theirs, w.tag);
                left.extend(
                    words(ours, w.tag)
                        .into_iter()
                        .filter(|word| their_words.contains(word)),
                );
            }
            assert!(left.is_empty(), "{}: English words left: {left:?}", w.tag);
            // Each sentence has words of its own.
            let mut seen = std::collections::HashSet::new();
            for (name, text) in fields(w) {
                assert!(seen.insert(text), "{}: {name} twice: {text}", w.tag);
            }
        }
    }

    #[test]
    fn the_english_notice_reads_as_before() {
        let text = ENGLISH.notice(
            &facts(NoticeAbout::Reset, true, false),
            LINK,
            CONTACT,
            false,
        );
        assert_eq!(
            text.subject,
            "Security notice: a reset of the sign-in methods of dana@contoso.example was requested"
        );
        assert_eq!(
            text.body,
            "This is about your work account dana@contoso.example.\n\n\
             Someone asked the IT helpdesk to reset the multi-factor sign-in methods of dana@contoso.example.\n\
             When: 2026-03-01T09:30:05Z\n\
             From: 203.0.113.9, a device that calls itself \"Windows 11\"\n\
             Sent from a device enrolled for this account: no\n\
             Request: rr-1\n\n\
             What happens next: the helpdesk will call the account's owner back on the number in the \
             company directory before changing anything. If you asked for this, you need do nothing.\n\n\
             If this wasn't you (or the account's owner did not ask for it), open this link and press the button:\n\
             https://relay.contoso.example/dispute/AbC-123_xyz\n\
             The link works once. Then: Call the IT service desk on +44 20 7946 0000\n\n\
             This message was sent by the MFA Assistant relay of your organisation. It never asks for a \
             password or a code."
        );
        let manager = ENGLISH.notice(
            &facts(NoticeAbout::Enrolment, false, false),
            LINK,
            CONTACT,
            true,
        );
        assert_eq!(
            manager.subject,
            "Security notice: a device was linked to dana@contoso.example"
        );
        assert!(manager.body.starts_with(
            "You receive this because you are the manager of dana@contoso.example.\n"
        ));
        assert!(manager
            .body
            .contains("From: an unknown address, an unknown device\nDevice key: dk-1\n"));
        assert_eq!(
            ENGLISH.dispute_note(MARKER, AT),
            "DISPUTED BY OWNER [rr-1]: The account's owner disputes this request: treat it as an \
             attack, do not reset. The owner used the link in the relay's notice at \
             2026-03-01T09:30:05Z. Do not issue a Temporary Access Pass or reset any method; alert \
             security."
        );
    }

    /// A device name is the requester's: quoted after the words that say it
    /// is the device's own, never expanded (`{upn}` stays as typed), with
    /// no quote, line break or bidirectional control able to end the quote,
    /// the line, or turn the text around.
    #[test]
    fn a_typed_device_name_is_quoted_and_never_expanded() {
        let typed = "{upn} \"}\" {contact}\u{202e}\nRequest: approved <b>";
        for w in ALL {
            let facts = NoticeFacts {
                device: Some(typed),
                source: Some("{link} 10.0.0.1"),
                ..facts(NoticeAbout::Reset, true, false)
            };
            let text = w.notice(&facts, LINK, CONTACT, false);
            // (Line breaks and bidirectional controls are dropped.)
            let quoted_name = r#""{upn} \"}\" {contact}Request: approved <b>""#;
            assert!(text.body.contains(quoted_name), "{}: {}", w.tag, text.body);
            assert!(!text.body.contains('\u{202e}'));
            // The source, odd as it is, is quoted too, and not expanded.
            assert!(text.body.contains("\"{link} 10.0.0.1\""), "{}", text.body);
            // One line per fact: the typed line break is gone.
            assert_eq!(
                text.body.lines().filter(|l| l.contains("approved")).count(),
                1,
                "{}",
                text.body
            );
            assert_eq!(text.body.matches(LINK).count(), 1, "{}", w.tag);
        }
    }
}
