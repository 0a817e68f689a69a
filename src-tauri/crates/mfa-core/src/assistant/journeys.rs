//! The guided journeys: each intent runs under the journey guard (one step
//! at a time in this process) and, when it may change something, the
//! tenant's journey lock (across app windows, [`JourneyStore::lock`]).

use std::path::{Path, PathBuf};

use crate::guardrails::PhoneNumber;
use crate::journey::{
    activity_csv, ActivityEntry, CsvHeaders, Journey, JourneyError, Registration,
};
use crate::security_info::{MethodId, PhoneType, SecondaryMethod, SecurityInfo};
use crate::session::SessionError;

use super::Assistant;

/// The user's answer at a journey step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The new method works: move on.
    Works,
    /// It does not: stay at the step (nothing is removed).
    NotWorking,
    /// Accept the concerns the guardrails raise now about the removal.
    AcceptConcerns,
}

/// Where the activity log was exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub path: PathBuf,
    pub entries: usize,
}

impl Assistant {
    /// The signed-in user's unfinished (or just finished) journey, read
    /// without sending anything; [`Journey::waiting`] says where it stands.
    pub async fn current_journey(&self) -> Result<Option<Journey>, JourneyError> {
        let _guard = self.journey_guard.lock().await;
        self.load_journey().await
    }

    /// "I have a new phone".
    pub async fn start_new_phone(&self, old_device_lost: bool) -> Result<Journey, JourneyError> {
        self.start(|info| Ok(Journey::new_phone(info, old_device_lost)))
            .await
    }

    /// "My phone number changed" (to another type when `replacing` is set).
    pub async fn change_phone_number(
        &self,
        phone_type: PhoneType,
        number: &PhoneNumber,
        replacing: Option<PhoneType>,
    ) -> Result<Journey, JourneyError> {
        self.start(|info| Journey::phone_number(info, phone_type, number, replacing))
            .await
    }

    /// "Choose my default".
    pub async fn choose_default(&self, choice: &SecondaryMethod) -> Result<Journey, JourneyError> {
        self.start(|info| Journey::choose_default(info, choice))
            .await
    }

    /// "Get to three": register `registration`.
    pub async fn add_method(&self, registration: Registration) -> Result<Journey, JourneyError> {
        self.start(|info| Ok(Journey::add_method(info, registration)))
            .await
    }

    /// Remove one method, with the organisation's floor.
    pub async fn remove_method(&self, id: &MethodId) -> Result<Journey, JourneyError> {
        let floor = self.floor;
        self.start(|info| Journey::remove_method(info, id, floor))
            .await
    }

    /// Runs the journey on from where it stands (after the user acted in
    /// the browser, or to check Graph again).
    pub async fn continue_journey(&self) -> Result<Journey, JourneyError> {
        let _guard = self.journey_guard.lock().await;
        let _lock = self.journeys.lock()?;
        let journey = self.journey_in_progress().await?;
        self.advance(journey).await
    }

    /// The user's answer at the current step.
    pub async fn answer(&self, answer: Answer) -> Result<Journey, JourneyError> {
        let _guard = self.journey_guard.lock().await;
        let _lock = self.journeys.lock()?;
        let mut journey = self.journey_in_progress().await?;
        match answer {
            Answer::Works => journey.answer_works(true)?,
            Answer::NotWorking => {
                journey.answer_works(false)?;
                self.journeys.save(&journey)?;
                return Ok(journey);
            }
            Answer::AcceptConcerns => {
                // The concerns accepted are those the guardrails raise now.
                let info = self.session.security_info().await?;
                let counting = self.health_context().await?;
                let concerns = journey.pending_concerns(&info, self.floor, Some(&counting))?;
                journey.accept_concerns(&concerns)?;
            }
        }
        self.advance(journey).await
    }

    /// Stops following the journey. Steps already done stay done (and are in
    /// the activity log); nothing half-done is left, because each step
    /// finishes or is not sent.
    pub async fn end_journey(&self) -> Result<(), JourneyError> {
        let _guard = self.journey_guard.lock().await;
        let _lock = self.journeys.lock()?;
        self.journeys.clear()
    }

    /// The signed-in user's activity, newest first (everyone's when no one
    /// is signed in).
    pub async fn activity(&self) -> Result<Vec<ActivityEntry>, JourneyError> {
        let upn = self.session.signed_in_upn().await;
        let mut entries: Vec<ActivityEntry> = self
            .journeys
            .activity()?
            .into_iter()
            .filter(|e| upn.as_deref().is_none_or(|u| e.upn.eq_ignore_ascii_case(u)))
            .collect();
        entries.reverse();
        Ok(entries)
    }

    /// Writes the whole activity log as CSV to the user's Downloads folder
    /// (or the home folder).
    pub fn export_activity(&self, headers: &CsvHeaders) -> Result<Export, JourneyError> {
        let dir = directories::UserDirs::new()
            .and_then(|d| {
                d.download_dir()
                    .map(Into::into)
                    .or_else(|| Some(d.home_dir().to_owned()))
            })
            .ok_or_else(|| {
                JourneyError::Storage("no Downloads or home folder to write to".into())
            })?;
        self.export_activity_to(&dir, headers)
    }

    /// Writes the whole activity log as CSV into `dir`, named by the time,
    /// under the window's column names.
    pub fn export_activity_to(
        &self,
        dir: &Path,
        headers: &CsvHeaders,
    ) -> Result<Export, JourneyError> {
        let entries = self.journeys.activity()?;
        let stamp = time::OffsetDateTime::now_utc()
            .format(&time::macros::format_description!(
                "[year][month][day]-[hour][minute][second]"
            ))
            .unwrap_or_default();
        let path = dir.join(format!("mfa-assistant-activity-{stamp}.csv"));
        // The folder is the user's choice (it keeps its mode); the file is
        // theirs alone: it lists their accounts and phone numbers.
        crate::owner_only::create_dir_all_keeping(dir)
            .and_then(|()| crate::owner_only::create(&path))
            .and_then(|mut file| {
                std::io::Write::write_all(&mut file, activity_csv(&entries, headers).as_bytes())
            })
            .map_err(|e| JourneyError::Storage(format!("{}: {e}", path.display())))?;
        Ok(Export {
            path,
            entries: entries.len(),
        })
    }

    /// Starts a journey unless another one is unfinished, then runs it as
    /// far as it can go.
    async fn start(
        &self,
        plan: impl FnOnce(&SecurityInfo) -> Result<Journey, JourneyError>,
    ) -> Result<Journey, JourneyError> {
        let _guard = self.journey_guard.lock().await;
        let _lock = self.journeys.lock()?;
        if let Some(j) = self.load_journey().await? {
            if !j.is_finished() {
                return Err(JourneyError::Invalid(
                    "another change is still in progress; continue or stop it first".into(),
                ));
            }
        }
        let info = self.session.security_info().await?;
        let journey = plan(&info)?;
        self.advance(journey).await
    }

    /// Runs `journey` on and saves where it stopped, also when a step
    /// failed (the window then reads where it stands).
    async fn advance(&self, mut journey: Journey) -> Result<Journey, JourneyError> {
        let counting = self.health_context().await?;
        let ran = journey
            .advance_counted(&self.session, &self.journeys, self.floor, Some(&counting))
            .await;
        self.journeys.save(&journey)?;
        // For the helpdesk reading the log: which journey, where it stands.
        match &ran {
            Ok(_) => tracing::info!(
                journey = journey.kind().name(),
                step = journey.current(),
                waiting = journey.waiting().name(),
                "journey advanced"
            ),
            Err(e) => tracing::warn!(
                journey = journey.kind().name(),
                step = journey.current(),
                "journey step failed: {e}"
            ),
        }
        ran?;
        Ok(journey)
    }

    /// The signed-in user's journey from disk, if it is theirs.
    async fn load_journey(&self) -> Result<Option<Journey>, JourneyError> {
        let upn = self
            .session
            .signed_in_upn()
            .await
            .ok_or(SessionError::NotSignedIn)?;
        Ok(self
            .journeys
            .load()?
            .filter(|j| j.upn().eq_ignore_ascii_case(&upn)))
    }

    async fn journey_in_progress(&self) -> Result<Journey, JourneyError> {
        self.load_journey()
            .await?
            .ok_or_else(|| JourneyError::Invalid("no change is in progress".into()))
    }
}
