//! The health summary's context: the cloud's rule for SMS and voice, today
//! from the assistant's clock, and the account's remembered answers to "is
//! this number on the same phone as Authenticator?".
//!
//! The answers are kept per account (UPN, lower-case) in the tenant's data
//! folder beside the journey (`same-phone.json`, owner-only like it): phone
//! numbers and device names, nothing secret.

use std::collections::BTreeMap;

use crate::health::{self, Context, Report, SamePhoneAnswer};
use crate::journey::JourneyError;
use crate::security_info::{MethodKind, PhoneType, SecurityInfo};
use crate::session::SessionError;

use super::Assistant;

/// The file: account -> answers.
type Answers = BTreeMap<String, Vec<SamePhoneAnswer>>;

impl Assistant {
    /// What the signed-in account's health is computed against.
    pub async fn health_context(&self) -> Result<Context, JourneyError> {
        let upn = self
            .session
            .signed_in_upn()
            .await
            .ok_or(SessionError::NotSignedIn)?;
        Ok(Context {
            telephony: self.telephony,
            today: (self.clock)().date(),
            answers: self
                .read_answers()?
                .remove(&upn.to_lowercase())
                .unwrap_or_default(),
            assume_same_phone: true,
        })
    }

    /// The health report of `info` (the signed-in account's Security Info).
    pub async fn health(&self, info: &SecurityInfo) -> Result<Report, JourneyError> {
        Ok(health::report(info, &self.health_context().await?))
    }

    /// Remembers the user's answer: `number` is (or is not) on the same
    /// phone as Authenticator on `phone`. Both must be on the account as
    /// Graph shows it now (a mobile or alternate mobile number; an
    /// Authenticator registration's device name), so nothing else is kept.
    /// Answers the account's Security Info as it is now.
    pub async fn answer_same_phone(
        &self,
        number: &str,
        phone: &str,
        same: bool,
    ) -> Result<SecurityInfo, JourneyError> {
        let _guard = self.journey_guard.lock().await;
        let info = self.session.security_info().await?;
        let number = info
            .methods
            .iter()
            .find_map(|m| match &m.kind {
                MethodKind::Phone {
                    number: n,
                    phone_type: PhoneType::Mobile | PhoneType::AlternateMobile,
                } if n == number.trim() => Some(n.clone()),
                _ => None,
            })
            .ok_or_else(|| {
                JourneyError::Invalid(format!("{number:?} is not a mobile number on your account"))
            })?;
        let phone = info
            .methods
            .iter()
            .find_map(|m| match &m.kind {
                MethodKind::MicrosoftAuthenticator { device_name }
                    if device_name.trim().eq_ignore_ascii_case(phone.trim())
                        && !device_name.trim().is_empty() =>
                {
                    Some(device_name.trim().to_owned())
                }
                _ => None,
            })
            .ok_or_else(|| {
                JourneyError::Invalid(format!(
                    "{phone:?} is not a phone with Microsoft Authenticator on your account"
                ))
            })?;
        let _lock = self.journeys.lock()?;
        let mut all = self.read_answers()?;
        let mine = all.entry(info.account.upn.to_lowercase()).or_default();
        mine.retain(|a| !(a.number == number && a.phone.eq_ignore_ascii_case(&phone)));
        mine.push(SamePhoneAnswer {
            number,
            phone,
            same,
        });
        let bytes =
            serde_json::to_vec_pretty(&all).map_err(|e| JourneyError::Storage(e.to_string()))?;
        self.journeys
            .write_file(&self.journeys.same_phone_path(), &bytes)?;
        Ok(info)
    }

    fn read_answers(&self) -> Result<Answers, JourneyError> {
        let path = self.journeys.same_phone_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                JourneyError::Storage(format!(
                    "{} cannot be read ({e}); delete it to answer again",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Answers::new()),
            Err(e) => Err(JourneyError::Storage(format!("{}: {e}", path.display()))),
        }
    }
}
