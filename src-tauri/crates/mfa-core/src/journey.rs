//! Guided journeys: the risky changes to Security Info as resumable, ordered
//! steps ("add and prove the new before removing the old").
//!
//! A [`Journey`] is a plan (a list of [`Step`]s) and a cursor. It is saved to
//! disk after every step and before every change is sent, without secrets, so
//! the app can quit at any moment and continue at the same step. Each step is
//! safe to run again: a change is sent only after Graph shows it is still
//! needed (a removal whose method is already gone counts as done, so a delete
//! is never repeated), and every journey ends with a check against Graph.
//!
//! The engine is [`Journey::advance`]: it runs steps until one needs the user
//! (confirm it's you, register on the Security Info page, say the new method
//! works, accept a concern) or the journey ends.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::guardrails::{self, Concern, Floor, PhoneNumber, PlannedChange, Refusal, Verdict};
use crate::security_info::{
    AuthMethod, MethodId, MethodKind, PhoneType, SecondaryMethod, SecurityInfo,
};
use crate::session::{Changed, MethodChange, Session, SessionError};

/// Which journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JourneyKind {
    /// "I have a new phone": a new Authenticator first, the old one last.
    NewPhone,
    /// "My phone number changed."
    PhoneNumber,
    /// "Choose my default."
    ChooseDefault,
    /// "Get to three methods": register the suggested method.
    AddMethod,
    /// Remove one method, with the guardrails.
    RemoveMethod,
}

/// What the user registers on the Security Info page while the app watches Graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Registration {
    /// Microsoft Authenticator on a (new) phone.
    Authenticator,
    /// An authenticator app with codes (TOTP).
    AuthenticatorApp,
    /// A security key or passkey.
    SecurityKey,
    /// A phone number of this type, when the app may not add it itself.
    Phone { phone_type: String, number: String },
}

impl Registration {
    /// Whether `m` is a registration of this kind that did not exist before.
    fn matches(&self, m: &AuthMethod, known: &[String]) -> bool {
        if known.iter().any(|k| k == m.id.as_str()) {
            return matches!(self, Registration::Phone { .. }) && self.phone_matches(m);
        }
        match self {
            Registration::Authenticator => {
                matches!(m.kind, MethodKind::MicrosoftAuthenticator { .. })
            }
            Registration::AuthenticatorApp => matches!(m.kind, MethodKind::SoftwareOath),
            Registration::SecurityKey => matches!(
                m.kind,
                MethodKind::Fido2 { .. }
                    | MethodKind::WindowsHelloForBusiness { .. }
                    | MethodKind::PlatformCredential { .. }
            ),
            Registration::Phone { .. } => self.phone_matches(m),
        }
    }

    fn phone_matches(&self, m: &AuthMethod) -> bool {
        match (self, &m.kind) {
            (
                Registration::Phone { phone_type, number },
                MethodKind::Phone {
                    number: n,
                    phone_type: t,
                },
            ) => t.as_graph() == phone_type && n == number,
            _ => false,
        }
    }
}

/// One step of a journey. Steps carry only ids, kinds and phone numbers the
/// user typed: nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "step")]
pub enum Step {
    /// The user confirms it's them (fresh MFA) so changes are accepted.
    ConfirmIdentity,
    /// The user registers something on the Security Info page; the app
    /// watches Graph for a registration it did not know.
    Register {
        registration: Registration,
        known_ids: Vec<String>,
        found: Option<String>,
    },
    /// The user says the new method works (the test prompt arrived and was approved).
    ConfirmWorks { method: Option<String> },
    /// Make this prompt the default.
    SetDefault { choice: String },
    /// Add a phone through Graph.
    AddPhone { phone_type: String, number: String },
    /// A new number for the phone of this type.
    UpdatePhone { phone_type: String, number: String },
    /// Remove a method. `replaced_by` names the step-verified replacement
    /// (the new phone's registration); `accepted` records the user's "yes"
    /// to the guardrail's concerns.
    Remove {
        id: String,
        replaced_by_new: bool,
        accepted: Vec<String>,
    },
    /// Read Graph and check the journey's outcome really happened.
    Verify,
}

impl Step {
    /// A stable name for the UI's message catalogue.
    pub fn name(&self) -> &'static str {
        match self {
            Step::ConfirmIdentity => "confirmIdentity",
            Step::Register { .. } => "register",
            Step::ConfirmWorks { .. } => "confirmWorks",
            Step::SetDefault { .. } => "setDefault",
            Step::AddPhone { .. } => "addPhone",
            Step::UpdatePhone { .. } => "updatePhone",
            Step::Remove { .. } => "remove",
            Step::Verify => "verify",
        }
    }
}

/// A journey in progress, as saved on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Journey {
    pub id: String,
    pub upn: String,
    pub kind: JourneyKind,
    #[serde(with = "time::serde::rfc3339")]
    pub started: OffsetDateTime,
    pub steps: Vec<Step>,
    /// Index of the current step; `steps.len()` when finished.
    pub current: usize,
    /// Set when the old phone is already gone (the new-phone journey says
    /// so and keeps the safe order).
    pub old_device_lost: bool,
    /// What the last attempt at the current step said, for the UI.
    pub note: Option<String>,
    /// A method this journey was to remove was already gone (removed on the
    /// web, or by this app before a crash): nothing was deleted twice.
    #[serde(default)]
    pub removed_elsewhere: bool,
}

/// What the journey needs from the user now, or that it is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Waiting {
    /// Confirm it's you in the browser, then continue.
    ConfirmIdentity,
    /// Register this on the Security Info page; the app keeps checking.
    Register(Registration),
    /// Say whether the new method works.
    ConfirmWorks,
    /// Read these concerns and accept them (or stop).
    AcceptConcerns(Vec<Concern>),
    /// The organisation does not let the app make this change: make it on the
    /// Security Info page; the app watches for it.
    UseSecurityInfoPage(Registration),
    /// Every step is done and Graph shows the outcome.
    Finished,
}

/// Why a step cannot go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JourneyError {
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error("{0}")]
    Refused(Refusal),
    #[error("the check against Graph failed: {0}")]
    NotVerified(String),
    #[error("journey state: {0}")]
    Storage(String),
    #[error("{0}")]
    Invalid(String),
}

/// One line of the activity log: a change the app made, with before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub upn: String,
    /// `addPhone`, `updatePhone`, `remove`, `setDefault`, `registered`.
    pub action: String,
    /// What the method was, and what it became. Never a token or code.
    pub before: Option<Snapshot>,
    pub after: Option<Snapshot>,
}

/// A method as the activity log remembers it: its kind (Graph's type name
/// without the namespace, or `default` for a default prompt) and its human
/// name (device, number, or the prompt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub kind: String,
    pub name: Option<String>,
}

impl Snapshot {
    pub fn of(m: &AuthMethod) -> Snapshot {
        Snapshot {
            kind: kind_name(&m.kind).to_owned(),
            name: m.kind.human_name().map(str::to_owned),
        }
    }

    fn default_prompt(choice: &str) -> Snapshot {
        Snapshot {
            kind: "default".into(),
            name: Some(choice.to_owned()),
        }
    }

    fn phone(phone_type: &str, number: &str) -> Snapshot {
        Snapshot {
            kind: "phone".into(),
            name: Some(format!("{number} ({phone_type})")),
        }
    }
}

/// The kind's stable name (as the wire's method kinds).
pub fn kind_name(kind: &MethodKind) -> &'static str {
    match kind {
        MethodKind::Password => "password",
        MethodKind::MicrosoftAuthenticator { .. } => "microsoftAuthenticator",
        MethodKind::Phone { .. } => "phone",
        MethodKind::Email { .. } => "email",
        MethodKind::Fido2 { .. } => "fido2",
        MethodKind::WindowsHelloForBusiness { .. } => "windowsHelloForBusiness",
        MethodKind::PlatformCredential { .. } => "platformCredential",
        MethodKind::SoftwareOath => "softwareOath",
        MethodKind::HardwareOath => "hardwareOath",
        MethodKind::TemporaryAccessPass { .. } => "temporaryAccessPass",
        MethodKind::External { .. } => "external",
        MethodKind::QrCodePin => "qrCodePin",
        MethodKind::Other { .. } => "other",
    }
}

/// Where journeys and the activity log live (the app's data directory).
#[derive(Debug, Clone)]
pub struct JourneyStore {
    dir: PathBuf,
}

impl JourneyStore {
    pub fn new(dir: impl Into<PathBuf>) -> JourneyStore {
        JourneyStore { dir: dir.into() }
    }

    fn journey_path(&self) -> PathBuf {
        self.dir.join("journey.json")
    }

    pub fn activity_path(&self) -> PathBuf {
        self.dir.join("activity.jsonl")
    }

    /// The saved journey, if any.
    pub fn load(&self) -> Result<Option<Journey>, JourneyError> {
        match std::fs::read(self.journey_path()) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                JourneyError::Storage(format!(
                    "{} cannot be read ({e}); delete it to start over",
                    self.journey_path().display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(JourneyError::Storage(format!(
                "{}: {e}",
                self.journey_path().display()
            ))),
        }
    }

    /// Saves atomically: a crash leaves the old or the new file, never half.
    pub fn save(&self, journey: &Journey) -> Result<(), JourneyError> {
        let bytes =
            serde_json::to_vec_pretty(journey).map_err(|e| JourneyError::Storage(e.to_string()))?;
        write_atomically(&self.journey_path(), &bytes)
            .map_err(|e| JourneyError::Storage(format!("{}: {e}", self.journey_path().display())))
    }

    pub fn clear(&self) -> Result<(), JourneyError> {
        match std::fs::remove_file(self.journey_path()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(JourneyError::Storage(e.to_string())),
        }
    }

    /// Appends one entry to the activity log (one JSON object per line).
    pub fn record(&self, entry: &ActivityEntry) -> Result<(), JourneyError> {
        use std::io::Write;
        std::fs::create_dir_all(&self.dir).map_err(|e| JourneyError::Storage(e.to_string()))?;
        let mut line =
            serde_json::to_vec(entry).map_err(|e| JourneyError::Storage(e.to_string()))?;
        line.push(b'\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.activity_path())
            .map_err(|e| JourneyError::Storage(e.to_string()))?;
        file.write_all(&line)
            .and_then(|()| file.sync_data())
            .map_err(|e| JourneyError::Storage(e.to_string()))
    }

    /// The activity log, oldest first. A damaged line is skipped, not fatal.
    pub fn activity(&self) -> Result<Vec<ActivityEntry>, JourneyError> {
        let text = match std::fs::read_to_string(self.activity_path()) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(JourneyError::Storage(e.to_string())),
        };
        Ok(text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect())
    }
}

/// The activity log as CSV (RFC 4180), newest last, for a spreadsheet:
/// time, account, action, before, after.
pub fn activity_csv(entries: &[ActivityEntry]) -> String {
    let snap = |s: &Option<Snapshot>| match s {
        Some(Snapshot {
            kind,
            name: Some(n),
        }) => format!("{kind}: {n}"),
        Some(Snapshot { kind, name: None }) => kind.clone(),
        None => String::new(),
    };
    let mut out = String::from("time,account,action,before,after\r\n");
    for e in entries {
        let time = e
            .time
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let cells = [
            time,
            e.upn.clone(),
            e.action.clone(),
            snap(&e.before),
            snap(&e.after),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Quotes a cell, and defuses text a spreadsheet would run as a formula
/// (a leading `=`, `@`, or a sign not starting a number).
fn csv_cell(value: &str) -> String {
    let mut v = value.to_owned();
    let mut chars = v.chars();
    let risky = match (chars.next(), chars.next()) {
        (Some('=' | '@' | '\t' | '\r'), _) => true,
        (Some('+' | '-'), Some(c)) => !c.is_ascii_digit(),
        (Some('+' | '-'), None) => true,
        _ => false,
    };
    if risky {
        v.insert(0, '\'');
    }
    if v.contains([',', '"', '\n', '\r']) || risky {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)
}

fn method_id(s: &str) -> Result<MethodId, JourneyError> {
    MethodId::parse(s).map_err(JourneyError::Invalid)
}

fn phone_type(s: &str) -> Result<PhoneType, JourneyError> {
    PhoneType::from_graph(s)
        .ok_or_else(|| JourneyError::Invalid(format!("unknown phone type {s:?}")))
}

fn phone_number(s: &str) -> Result<PhoneNumber, JourneyError> {
    PhoneNumber::parse(s).map_err(|e| JourneyError::Invalid(e.to_string()))
}

fn phone_of(info: &SecurityInfo, t: PhoneType) -> Option<&AuthMethod> {
    info.methods
        .iter()
        .find(|m| matches!(&m.kind, MethodKind::Phone { phone_type, .. } if *phone_type == t))
}

/// The prompt a phone of this type answers by default.
fn phone_prompt(t: PhoneType) -> SecondaryMethod {
    match t {
        PhoneType::Mobile => SecondaryMethod::Sms,
        PhoneType::AlternateMobile => SecondaryMethod::VoiceAlternateMobile,
        PhoneType::Office => SecondaryMethod::VoiceOffice,
    }
}

impl Journey {
    fn new(kind: JourneyKind, info: &SecurityInfo, steps: Vec<Step>) -> Journey {
        Journey {
            id: uuid::Uuid::new_v4().to_string(),
            upn: info.account.upn.clone(),
            kind,
            started: OffsetDateTime::now_utc(),
            steps,
            current: 0,
            old_device_lost: false,
            note: None,
            removed_elsewhere: false,
        }
    }

    /// "I have a new phone": confirm it's you, register Authenticator on the
    /// new phone, check it works, make it the default, and only then remove
    /// the old phone's Authenticator (if there was one).
    pub fn new_phone(info: &SecurityInfo, old_device_lost: bool) -> Journey {
        let known: Vec<String> = info
            .methods
            .iter()
            .map(|m| m.id.as_str().to_owned())
            .collect();
        let old = info
            .methods
            .iter()
            .filter(|m| matches!(m.kind, MethodKind::MicrosoftAuthenticator { .. }))
            .max_by_key(|m| m.created);
        let mut steps = vec![
            Step::ConfirmIdentity,
            Step::Register {
                registration: Registration::Authenticator,
                known_ids: known,
                found: None,
            },
            Step::ConfirmWorks { method: None },
            Step::SetDefault {
                choice: SecondaryMethod::Push.as_graph(),
            },
        ];
        if let Some(old) = old {
            steps.push(Step::Remove {
                id: old.id.as_str().to_owned(),
                replaced_by_new: true,
                accepted: Vec::new(),
            });
        }
        steps.push(Step::Verify);
        let mut j = Journey::new(JourneyKind::NewPhone, info, steps);
        j.old_device_lost = old_device_lost;
        j
    }

    /// "My phone number changed": a new number for the phone of `phone_type`
    /// (added if there is none). When the number moves to another type, the
    /// new type is added first, the default moves to it, and the old goes last.
    pub fn phone_number(
        info: &SecurityInfo,
        phone_type: PhoneType,
        number: &PhoneNumber,
        replacing: Option<PhoneType>,
    ) -> Result<Journey, JourneyError> {
        let n = number.as_str().to_owned();
        let t = phone_type.as_graph().to_owned();
        let mut steps = vec![Step::ConfirmIdentity];
        let change = match phone_of(info, phone_type) {
            Some(existing) => PlannedChange::UpdatePhone {
                id: existing.id.clone(),
                number: number.clone(),
            },
            None => PlannedChange::AddPhone {
                phone_type,
                number: number.clone(),
            },
        };
        if let Verdict::Refuse(r) = guardrails::check(info, &change, Floor::DEFAULT) {
            return Err(JourneyError::Refused(r));
        }
        match change {
            PlannedChange::UpdatePhone { .. } => steps.push(Step::UpdatePhone {
                phone_type: t,
                number: n,
            }),
            _ => steps.push(Step::AddPhone {
                phone_type: t,
                number: n,
            }),
        }
        if let Some(old_type) = replacing.filter(|o| *o != phone_type) {
            let old = phone_of(info, old_type).ok_or_else(|| {
                JourneyError::Invalid(format!(
                    "you have no {} phone to replace",
                    old_type.as_graph()
                ))
            })?;
            let default_is_old = info.default_method() == Some(&old.id);
            if default_is_old {
                steps.push(Step::SetDefault {
                    choice: phone_prompt(phone_type).as_graph(),
                });
            }
            steps.push(Step::Remove {
                id: old.id.as_str().to_owned(),
                replaced_by_new: false,
                accepted: Vec::new(),
            });
        }
        steps.push(Step::Verify);
        Ok(Journey::new(JourneyKind::PhoneNumber, info, steps))
    }

    /// "Choose my default."
    pub fn choose_default(
        info: &SecurityInfo,
        choice: &SecondaryMethod,
    ) -> Result<Journey, JourneyError> {
        if let Verdict::Refuse(r) = guardrails::check(
            info,
            &PlannedChange::SetDefault(choice.clone()),
            Floor::DEFAULT,
        ) {
            return Err(JourneyError::Refused(r));
        }
        Ok(Journey::new(
            JourneyKind::ChooseDefault,
            info,
            vec![
                Step::ConfirmIdentity,
                Step::SetDefault {
                    choice: choice.as_graph(),
                },
                Step::Verify,
            ],
        ))
    }

    /// "Get to three": register `registration` on the Security Info page.
    pub fn add_method(info: &SecurityInfo, registration: Registration) -> Journey {
        let known = info
            .methods
            .iter()
            .map(|m| m.id.as_str().to_owned())
            .collect();
        Journey::new(
            JourneyKind::AddMethod,
            info,
            vec![
                Step::Register {
                    registration,
                    known_ids: known,
                    found: None,
                },
                Step::Verify,
            ],
        )
    }

    /// Remove one method. Refused at once if a guardrail forbids it.
    pub fn remove_method(
        info: &SecurityInfo,
        id: &MethodId,
        floor: Floor,
    ) -> Result<Journey, JourneyError> {
        let change = PlannedChange::Remove {
            id: id.clone(),
            replaced_by: None,
        };
        if let Verdict::Refuse(r) = guardrails::check(info, &change, floor) {
            return Err(JourneyError::Refused(r));
        }
        Ok(Journey::new(
            JourneyKind::RemoveMethod,
            info,
            vec![
                Step::ConfirmIdentity,
                Step::Remove {
                    id: id.as_str().to_owned(),
                    replaced_by_new: false,
                    accepted: Vec::new(),
                },
                Step::Verify,
            ],
        ))
    }

    pub fn is_finished(&self) -> bool {
        self.current >= self.steps.len()
    }

    /// The new registration found by a `Register` step, if any.
    fn found_registration(&self) -> Option<String> {
        self.steps.iter().find_map(|s| match s {
            Step::Register { found, .. } => found.clone(),
            _ => None,
        })
    }

    /// Whether the user said the new method works.
    fn new_method_verified(&self) -> bool {
        self.steps
            .iter()
            .enumerate()
            .any(|(i, s)| matches!(s, Step::ConfirmWorks { .. }) && i < self.current)
    }

    /// The user's answer to `ConfirmWorks`: `true` moves on; `false` keeps the
    /// journey at the step with a note (nothing is removed).
    pub fn answer_works(&mut self, works: bool) -> Result<(), JourneyError> {
        match self.steps.get(self.current) {
            Some(Step::ConfirmWorks { .. }) if works => {
                self.note = None;
                self.current += 1;
                Ok(())
            }
            Some(Step::ConfirmWorks { .. }) => {
                self.note = Some("notWorking".into());
                Ok(())
            }
            _ => Err(JourneyError::Invalid(
                "the journey is not asking whether the new method works".into(),
            )),
        }
    }

    /// The removal a `Remove` step asks the guardrails about: with the new
    /// phone's registration as the replacement when the step replaces it.
    fn planned_removal(
        &self,
        id: MethodId,
        replaced_by_new: bool,
    ) -> Result<PlannedChange, JourneyError> {
        let replaced_by = if replaced_by_new {
            Some(guardrails::Replacement {
                id: method_id(&self.found_registration().ok_or_else(|| {
                    JourneyError::Invalid("the new method was not registered yet".into())
                })?)?,
                verified: self.new_method_verified(),
            })
        } else {
            None
        };
        Ok(PlannedChange::Remove { id, replaced_by })
    }

    /// The concerns the guardrails raise now about the current removal step
    /// (what the user is asked to accept); empty at any other step.
    pub fn pending_concerns(
        &self,
        info: &SecurityInfo,
        floor: Floor,
    ) -> Result<Vec<Concern>, JourneyError> {
        let Some(Step::Remove {
            id,
            replaced_by_new,
            ..
        }) = self.steps.get(self.current)
        else {
            return Ok(Vec::new());
        };
        let change = self.planned_removal(method_id(id)?, *replaced_by_new)?;
        Ok(match guardrails::check(info, &change, floor) {
            Verdict::Confirm(concerns) => concerns,
            Verdict::Go | Verdict::Refuse(_) => Vec::new(),
        })
    }

    /// The user accepts the concerns shown for the current removal.
    pub fn accept_concerns(&mut self, concerns: &[Concern]) -> Result<(), JourneyError> {
        match self.steps.get_mut(self.current) {
            Some(Step::Remove { accepted, .. }) => {
                *accepted = concerns.iter().map(concern_name).collect();
                Ok(())
            }
            _ => Err(JourneyError::Invalid(
                "the journey is not asking to accept a removal".into(),
            )),
        }
    }

    /// Runs steps until one needs the user or the journey ends. The journey
    /// is saved after each step and before each change is sent.
    pub async fn advance(
        &mut self,
        session: &Session,
        store: &JourneyStore,
        floor: Floor,
    ) -> Result<Waiting, JourneyError> {
        loop {
            store.save(self)?;
            let Some(step) = self.steps.get(self.current).cloned() else {
                return Ok(Waiting::Finished);
            };
            match self.run(step, session, store, floor).await? {
                Some(waiting) => {
                    store.save(self)?;
                    return Ok(waiting);
                }
                None => {
                    self.note = None;
                    self.current += 1;
                }
            }
        }
    }

    /// Runs one step: `None` when it is done, or what it waits for.
    async fn run(
        &mut self,
        step: Step,
        session: &Session,
        store: &JourneyStore,
        floor: Floor,
    ) -> Result<Option<Waiting>, JourneyError> {
        match step {
            Step::ConfirmIdentity => Ok(if session.can_change().await {
                None
            } else {
                Some(Waiting::ConfirmIdentity)
            }),
            Step::Register {
                registration,
                known_ids,
                found,
            } => {
                if found.is_some() {
                    return Ok(None);
                }
                let methods = session.methods().await?;
                match methods.iter().find(|m| registration.matches(m, &known_ids)) {
                    Some(new) => {
                        self.log(store, "registered", None, Some(Snapshot::of(new)))?;
                        let id = new.id.as_str().to_owned();
                        if let Some(Step::Register { found, .. }) = self.steps.get_mut(self.current)
                        {
                            *found = Some(id.clone());
                        }
                        if let Some(Step::ConfirmWorks { method }) =
                            self.steps.get_mut(self.current + 1)
                        {
                            *method = Some(id);
                        }
                        Ok(None)
                    }
                    None => Ok(Some(Waiting::Register(registration))),
                }
            }
            Step::ConfirmWorks { .. } => Ok(Some(Waiting::ConfirmWorks)),
            Step::SetDefault { choice } => {
                let choice = SecondaryMethod::from_graph(&choice);
                let info = session.security_info().await?;
                let current = info
                    .preferences
                    .as_ref()
                    .and_then(|p| p.user_preferred.clone());
                if current.as_ref() == Some(&choice) {
                    return Ok(None); // Already so (maybe sent before a crash).
                }
                if let Verdict::Refuse(r) =
                    guardrails::check(&info, &PlannedChange::SetDefault(choice.clone()), floor)
                {
                    return Err(JourneyError::Refused(r));
                }
                session
                    .change(&MethodChange::SetDefault(choice.clone()))
                    .await?;
                self.log(
                    store,
                    "setDefault",
                    current.map(|c| Snapshot::default_prompt(&c.as_graph())),
                    Some(Snapshot::default_prompt(&choice.as_graph())),
                )?;
                Ok(None)
            }
            Step::AddPhone {
                phone_type: t,
                number,
            } => {
                let pt = phone_type(&t)?;
                let n = phone_number(&number)?;
                let info = session.security_info().await?;
                if phone_of(&info, pt).is_some_and(
                    |m| matches!(&m.kind, MethodKind::Phone { number: x, .. } if x == n.as_str()),
                ) {
                    return Ok(None); // Added before a crash or on the web.
                }
                if let Verdict::Refuse(r) = guardrails::check(
                    &info,
                    &PlannedChange::AddPhone {
                        phone_type: pt,
                        number: n.clone(),
                    },
                    floor,
                ) {
                    return Err(JourneyError::Refused(r));
                }
                match session
                    .change(&MethodChange::AddPhone {
                        phone_type: pt,
                        number: n.clone(),
                    })
                    .await
                {
                    Ok(Changed::Added(m)) => {
                        self.log(store, "addPhone", None, Some(Snapshot::of(&m)))?;
                        Ok(None)
                    }
                    Ok(Changed::Done) => Ok(None),
                    Err(SessionError::ChangeNotAllowed(reason)) => {
                        self.fall_back_to_page(&info, t, number, reason)
                    }
                    Err(e) => Err(e.into()),
                }
            }
            Step::UpdatePhone {
                phone_type: t,
                number,
            } => {
                let pt = phone_type(&t)?;
                let n = phone_number(&number)?;
                let info = session.security_info().await?;
                let existing = phone_of(&info, pt).cloned().ok_or_else(|| {
                    JourneyError::Refused(Refusal::NotFound {
                        id: MethodId::parse(pt.method_id()).expect("fixed id"),
                    })
                })?;
                if matches!(&existing.kind, MethodKind::Phone { number: x, .. } if x == n.as_str())
                {
                    return Ok(None);
                }
                if let Verdict::Refuse(r) = guardrails::check(
                    &info,
                    &PlannedChange::UpdatePhone {
                        id: existing.id.clone(),
                        number: n.clone(),
                    },
                    floor,
                ) {
                    return Err(JourneyError::Refused(r));
                }
                match session
                    .change(&MethodChange::UpdatePhone {
                        id: existing.id.clone(),
                        phone_type: pt,
                        number: n.clone(),
                    })
                    .await
                {
                    Ok(_) => {
                        self.log(
                            store,
                            "updatePhone",
                            Some(Snapshot::of(&existing)),
                            Some(Snapshot::phone(&t, n.as_str())),
                        )?;
                        Ok(None)
                    }
                    Err(SessionError::ChangeNotAllowed(reason)) => {
                        self.fall_back_to_page(&info, t, number, reason)
                    }
                    Err(e) => Err(e.into()),
                }
            }
            Step::Remove {
                id,
                replaced_by_new,
                accepted,
            } => {
                let target = method_id(&id)?;
                let info = session.security_info().await?;
                let Some(method) = info.methods.iter().find(|m| m.id == target).cloned() else {
                    // Gone already: removed before a crash, or on the web.
                    self.removed_elsewhere = true;
                    return Ok(None);
                };
                let change = self.planned_removal(target.clone(), replaced_by_new)?;
                match guardrails::check(&info, &change, floor) {
                    Verdict::Refuse(r) => return Err(JourneyError::Refused(r)),
                    Verdict::Confirm(concerns) => {
                        let names: Vec<String> = concerns.iter().map(concern_name).collect();
                        if !names.iter().all(|n| accepted.contains(n)) {
                            return Ok(Some(Waiting::AcceptConcerns(concerns)));
                        }
                    }
                    Verdict::Go => {}
                }
                let collection = method.kind.deletable_collection().ok_or_else(|| {
                    JourneyError::Invalid(format!(
                        "a {} method cannot be removed by this app",
                        kind_name(&method.kind)
                    ))
                })?;
                match session
                    .change(&MethodChange::Delete {
                        collection,
                        id: target,
                    })
                    .await
                {
                    Ok(_) => {}
                    // Removed elsewhere between our read and our delete.
                    Err(SessionError::Graph(crate::graph::GraphError::Service {
                        status: 404,
                        ..
                    })) => {
                        self.removed_elsewhere = true;
                    }
                    Err(e) => return Err(e.into()),
                }
                self.log(store, "remove", Some(Snapshot::of(&method)), None)?;
                Ok(None)
            }
            Step::Verify => {
                let info = session.security_info().await?;
                self.verify(&info)?;
                Ok(None)
            }
        }
    }

    /// Turns a refused Graph write into a Security Info page step that the
    /// app watches; the journey stays at the same place in the plan.
    fn fall_back_to_page(
        &mut self,
        info: &SecurityInfo,
        phone_type: String,
        number: String,
        reason: String,
    ) -> Result<Option<Waiting>, JourneyError> {
        let registration = Registration::Phone { phone_type, number };
        self.steps[self.current] = Step::Register {
            registration: registration.clone(),
            known_ids: info
                .methods
                .iter()
                .map(|m| m.id.as_str().to_owned())
                .collect(),
            found: None,
        };
        self.note = Some(format!("notAllowed: {reason}"));
        Ok(Some(Waiting::UseSecurityInfoPage(registration)))
    }

    /// Checks that what every completed step did is what Graph shows now.
    fn verify(&self, info: &SecurityInfo) -> Result<(), JourneyError> {
        for step in &self.steps[..self.current] {
            match step {
                Step::Register {
                    found: Some(id), ..
                } if !info.methods.iter().any(|m| m.id.as_str() == id) => {
                    return Err(JourneyError::NotVerified(
                        "the new registration is no longer on your account".into(),
                    ));
                }
                Step::SetDefault { choice } => {
                    let now = info
                        .preferences
                        .as_ref()
                        .and_then(|p| p.user_preferred.as_ref())
                        .map(SecondaryMethod::as_graph);
                    // A later removal may legitimately not touch the default;
                    // the default must still be what this journey set.
                    if now.as_deref() != Some(choice.as_str()) {
                        return Err(JourneyError::NotVerified(format!(
                            "the default is {} instead of {choice}",
                            now.unwrap_or_else(|| "not set".into())
                        )));
                    }
                }
                Step::AddPhone { phone_type, number }
                | Step::UpdatePhone { phone_type, number } => {
                    let ok = info.methods.iter().any(|m| {
                        matches!(&m.kind, MethodKind::Phone { number: n, phone_type: t }
                            if t.as_graph() == phone_type && n == number)
                    });
                    if !ok {
                        return Err(JourneyError::NotVerified(format!(
                            "your {phone_type} phone does not show {number}"
                        )));
                    }
                }
                Step::Remove { id, .. } if info.methods.iter().any(|m| m.id.as_str() == id) => {
                    return Err(JourneyError::NotVerified(
                        "the removed method is still on your account".into(),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn log(
        &self,
        store: &JourneyStore,
        action: &str,
        before: Option<Snapshot>,
        after: Option<Snapshot>,
    ) -> Result<(), JourneyError> {
        store.record(&ActivityEntry {
            time: OffsetDateTime::now_utc(),
            upn: self.upn.clone(),
            action: action.to_owned(),
            before,
            after,
        })
    }
}

/// A stable name for a concern (saved with the user's acceptance).
pub fn concern_name(c: &Concern) -> String {
    match c {
        Concern::BelowRecommended { .. } => "belowRecommended".into(),
        Concern::SingleDevice => "singleDevice".into(),
        Concern::LosesPhishingResistance => "losesPhishingResistance".into(),
    }
}

/// What to register next to get closer to the recommended number: a
/// phishing-resistant key first if there is none, then Authenticator if
/// there is none, then an authenticator app; never another method on a
/// device the account already depends on.
pub fn suggest_next(info: &SecurityInfo) -> Registration {
    let has = |f: &dyn Fn(&MethodKind) -> bool| info.methods.iter().any(|m| f(&m.kind));
    if !has(&|k| k.is_phishing_resistant()) {
        Registration::SecurityKey
    } else if !has(&|k| matches!(k, MethodKind::MicrosoftAuthenticator { .. })) {
        Registration::Authenticator
    } else if !has(&|k| matches!(k, MethodKind::SoftwareOath)) {
        Registration::AuthenticatorApp
    } else {
        Registration::SecurityKey
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security_info::{Account, SignInPreferences};
    use time::macros::datetime;

    fn m(id: &str, kind: MethodKind, created: OffsetDateTime) -> AuthMethod {
        AuthMethod {
            id: MethodId::parse(id).unwrap(),
            created: Some(created),
            kind,
        }
    }

    fn app(id: &str, device: &str, created: OffsetDateTime) -> AuthMethod {
        m(
            id,
            MethodKind::MicrosoftAuthenticator {
                device_name: device.into(),
            },
            created,
        )
    }

    fn phone(t: PhoneType, number: &str) -> AuthMethod {
        m(
            t.method_id(),
            MethodKind::Phone {
                number: number.into(),
                phone_type: t,
            },
            datetime!(2024-01-01 0:00 UTC),
        )
    }

    fn info(methods: Vec<AuthMethod>, default: &str) -> SecurityInfo {
        SecurityInfo {
            account: Account {
                display_name: "Adele".into(),
                upn: "adele@contoso.example".into(),
            },
            methods,
            preferences: Some(SignInPreferences {
                user_preferred: Some(SecondaryMethod::from_graph(default)),
                system_preferred_enabled: false,
                system_preferred: None,
            }),
        }
    }

    fn adele() -> SecurityInfo {
        info(
            vec![
                app("old-app", "Pixel 6", datetime!(2023-05-01 0:00 UTC)),
                phone(PhoneType::Mobile, "+44 7700900123"),
            ],
            "push",
        )
    }

    #[test]
    fn the_new_phone_journey_adds_proves_and_defaults_before_it_removes() {
        let j = Journey::new_phone(&adele(), false);
        let names: Vec<&str> = j.steps.iter().map(Step::name).collect();
        assert_eq!(
            names,
            [
                "confirmIdentity",
                "register",
                "confirmWorks",
                "setDefault",
                "remove",
                "verify"
            ]
        );
        assert!(
            matches!(&j.steps[4], Step::Remove { id, replaced_by_new: true, .. } if id == "old-app")
        );
        // Without an Authenticator today there is nothing old to remove.
        let j = Journey::new_phone(
            &info(vec![phone(PhoneType::Mobile, "+44 7700900123")], "sms"),
            true,
        );
        assert!(!j.steps.iter().any(|s| matches!(s, Step::Remove { .. })));
        assert!(j.old_device_lost);
    }

    #[test]
    fn a_registration_is_new_only_if_its_id_was_not_known() {
        let known = vec!["old-app".to_owned()];
        let old = app("old-app", "Pixel 6", datetime!(2023-05-01 0:00 UTC));
        let new = app("new-app", "Pixel 9", datetime!(2026-11-22 9:00 UTC));
        assert!(!Registration::Authenticator.matches(&old, &known));
        assert!(Registration::Authenticator.matches(&new, &known));
        assert!(!Registration::SecurityKey.matches(&new, &known));
        // A phone registered on the page is recognised by type and number,
        // even though its id is the fixed one the app already knew.
        let wanted = Registration::Phone {
            phone_type: "mobile".into(),
            number: "+44 7700900999".into(),
        };
        let known = vec![PhoneType::Mobile.method_id().to_owned()];
        assert!(!wanted.matches(&phone(PhoneType::Mobile, "+44 7700900123"), &known));
        assert!(wanted.matches(&phone(PhoneType::Mobile, "+44 7700900999"), &known));
    }

    #[test]
    fn a_number_moving_to_another_type_adds_first_moves_the_default_then_removes() {
        let account = info(
            vec![
                app("a", "Pixel 6", datetime!(2023-05-01 0:00 UTC)),
                phone(PhoneType::Office, "+44 2079460000"),
            ],
            "voiceOffice",
        );
        let n = PhoneNumber::parse("+44 7700900555").unwrap();
        let j = Journey::phone_number(&account, PhoneType::Mobile, &n, Some(PhoneType::Office))
            .unwrap();
        assert_eq!(
            j.steps,
            vec![
                Step::ConfirmIdentity,
                Step::AddPhone {
                    phone_type: "mobile".into(),
                    number: "+44 7700900555".into()
                },
                Step::SetDefault {
                    choice: "sms".into()
                },
                Step::Remove {
                    id: PhoneType::Office.method_id().into(),
                    replaced_by_new: false,
                    accepted: vec![]
                },
                Step::Verify
            ]
        );
        // A new number for an existing type is an update, in place.
        let j = Journey::phone_number(
            &account,
            PhoneType::Office,
            &PhoneNumber::parse("+44 2079461111").unwrap(),
            None,
        )
        .unwrap();
        assert!(matches!(j.steps[1], Step::UpdatePhone { .. }));
        // A duplicate number is refused before anything starts.
        let e = Journey::phone_number(
            &account,
            PhoneType::Mobile,
            &PhoneNumber::parse("+44 2079460000").unwrap(),
            None,
        )
        .unwrap_err();
        assert!(matches!(
            e,
            JourneyError::Refused(Refusal::DuplicateNumber { .. })
        ));
    }

    #[test]
    fn removing_refuses_up_front_what_the_guardrails_refuse() {
        let lone = info(
            vec![app("a", "Pixel 6", datetime!(2023-05-01 0:00 UTC))],
            "push",
        );
        let e = Journey::remove_method(&lone, &MethodId::parse("a").unwrap(), Floor::DEFAULT)
            .unwrap_err();
        assert_eq!(e, JourneyError::Refused(Refusal::LastMethod));
    }

    #[test]
    fn works_answers_move_on_or_keep_the_user_at_the_step() {
        let mut j = Journey::new_phone(&adele(), false);
        assert!(j.answer_works(true).is_err(), "not at that step yet");
        j.current = 2;
        j.answer_works(false).unwrap();
        assert_eq!((j.current, j.note.as_deref()), (2, Some("notWorking")));
        assert!(!j.new_method_verified());
        j.answer_works(true).unwrap();
        assert_eq!(j.current, 3);
        assert!(j.new_method_verified());
    }

    #[test]
    fn verification_compares_every_completed_step_with_graph() {
        let account = adele();
        let mut j = Journey::remove_method(
            &info(
                vec![
                    app("a", "Pixel 6", datetime!(2023-05-01 0:00 UTC)),
                    phone(PhoneType::Mobile, "+44 7700900123"),
                    phone(PhoneType::Office, "+44 2079460000"),
                ],
                "push",
            ),
            &MethodId::parse(PhoneType::Office.method_id()).unwrap(),
            Floor::DEFAULT,
        )
        .unwrap();
        j.current = 2; // confirm and remove done
        let still_there = info(
            vec![
                app("a", "Pixel 6", datetime!(2023-05-01 0:00 UTC)),
                phone(PhoneType::Office, "+44 2079460000"),
            ],
            "push",
        );
        assert!(matches!(
            j.verify(&still_there),
            Err(JourneyError::NotVerified(_))
        ));
        assert_eq!(j.verify(&account), Ok(()));
    }

    #[test]
    fn the_store_saves_atomically_and_keeps_an_activity_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = JourneyStore::new(dir.path().join("nested"));
        assert_eq!(store.load().unwrap(), None);
        let j = Journey::new_phone(&adele(), false);
        store.save(&j).unwrap();
        assert_eq!(store.load().unwrap(), Some(j.clone()));
        let text = std::fs::read_to_string(dir.path().join("nested/journey.json")).unwrap();
        assert!(!text.contains("token"), "no secrets in the journey file");
        store.clear().unwrap();
        assert_eq!(store.load().unwrap(), None);

        let entry = ActivityEntry {
            time: datetime!(2026-11-22 9:00 UTC),
            upn: "adele@contoso.example".into(),
            action: "remove".into(),
            before: Some(Snapshot {
                kind: "microsoftAuthenticator".into(),
                name: Some("Pixel 6".into()),
            }),
            after: None,
        };
        store.record(&entry).unwrap();
        store.record(&entry).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(store.activity_path())
            .and_then(|mut f| std::io::Write::write_all(&mut f, b"{half a line\n"))
            .unwrap();
        assert_eq!(store.activity().unwrap(), vec![entry.clone(), entry]);
        // A damaged journey file is reported with its path, not ignored.
        std::fs::write(dir.path().join("nested/journey.json"), "{").unwrap();
        let e = store.load().unwrap_err();
        assert!(e.to_string().contains("journey.json"), "{e}");
    }

    #[test]
    fn the_activity_log_exports_as_csv_without_formulas() {
        let entry = |before: Option<Snapshot>, after: Option<Snapshot>| ActivityEntry {
            time: datetime!(2026-11-22 9:00 UTC),
            upn: "adele@contoso.example".into(),
            action: "updatePhone".into(),
            before,
            after,
        };
        let csv = activity_csv(&[
            entry(
                Some(Snapshot::phone("mobile", "+44 7700900123")),
                Some(Snapshot::phone("mobile", "+44 7700900999")),
            ),
            entry(
                Some(Snapshot {
                    kind: "microsoftAuthenticator".into(),
                    name: Some("=HYPERLINK(\"x\")".into()),
                }),
                None,
            ),
        ]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "time,account,action,before,after");
        assert_eq!(
            lines[1],
            "2026-11-22T09:00:00Z,adele@contoso.example,updatePhone,phone: +44 7700900123 (mobile),phone: +44 7700900999 (mobile)"
        );
        assert_eq!(
            lines[2],
            "2026-11-22T09:00:00Z,adele@contoso.example,updatePhone,\"microsoftAuthenticator: =HYPERLINK(\"\"x\"\")\","
        );
        assert_eq!(csv_cell("=1+1"), "\"'=1+1\"");
        assert_eq!(csv_cell("-x"), "\"'-x\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
    }

    #[test]
    fn the_next_suggestion_prefers_phishing_resistant_then_other_devices() {
        assert_eq!(suggest_next(&adele()), Registration::SecurityKey);
        let with_key = info(
            vec![
                phone(PhoneType::Mobile, "+44 7700900123"),
                m(
                    "k",
                    MethodKind::Fido2 {
                        display_name: "YubiKey".into(),
                        model: None,
                    },
                    datetime!(2024-01-01 0:00 UTC),
                ),
            ],
            "sms",
        );
        assert_eq!(suggest_next(&with_key), Registration::Authenticator);
    }
}
