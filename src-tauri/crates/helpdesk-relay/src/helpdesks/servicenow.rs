//! ServiceNow: one incident per reset request, through the Table API
//! (`peers-and-helpdesks.md` §B.1; ServiceNow's Table API reference,
//! `ServiceNow/ServiceNowDocs:markdown/api-reference/rest-apis/c_TableAPI.md`).
//!
//! # Configuration: `[helpdesk.servicenow]`
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `instance` | yes | the instance's address, e.g. `https://contoso.service-now.com`. `https://` only (`http://` is accepted for a loopback address, for tests). No user or password in it. |
//! | `user` | yes | the integration user the relay signs in as (HTTP Basic). Its roles must allow inserting into, reading and updating the `incident` table (updates only add `work_notes`: the owner's dispute), and reading `sys_journal_field` (to look for a dispute note an uncertain attempt may have added). |
//! | `password` | no | that user's password. Better left out of the file: the relay then reads the environment variable `MFA_RELAY_SERVICENOW_PASSWORD`. One of the two is required. |
//! | `urgency` | no | the incident's urgency, `1` (high) to `3` (low); default `2`. |
//! | `impact` | no | the incident's impact, `1` (high) to `3` (low); default `2`. |
//! | `assignment_group` | no | the `sys_id` (32 hexadecimal characters) of the group the incidents go to. Unset: ServiceNow's own assignment rules decide. |
//!
//! # What the relay sends
//!
//! - file: `POST {instance}/api/now/table/incident` (Basic auth, JSON) with
//!   `short_description` (the ticket's subject, which carries the relay's
//!   request id), `description` (the plain-text body), `urgency`, `impact`,
//!   `assignment_group` when configured, and `correlation_id` = the relay's
//!   request id. ServiceNow answers `201` with `result.number`
//!   (`INC0010002`), the ticket number the relay reports.
//!   `caller_id` is deliberately left unset: it is a reference to a
//!   `sys_user`, and the caller's identity is exactly what nobody has
//!   verified yet (the UPN is in the description, marked unverified).
//! - find: `GET {instance}/api/now/table/incident?sysparm_query=correlation_id=<request id>&sysparm_fields=number&sysparm_limit=1`,
//!   answered `200` with `result` an array of at most one `{number}`.
//! - note (the owner's dispute): the incident's `sys_id` by
//!   `sysparm_query=number=<number>`, then `PATCH {instance}/api/now/table/incident/{sys_id}`
//!   with `work_notes` (agents only). A retry after an uncertain attempt
//!   first reads `sys_journal_field` (`element_id=<sys_id>^element=work_notes^valueLIKE<marker>`):
//!   the user then also needs read access to that table.
//!
//! Any other answer goes through [`super::http::classify`]: 401/403 name the
//! user and where its password comes from; 408/429/5xx are retried (with
//! `Retry-After`); any other 4xx refuses the ticket.
//!

use reqwest::header::ACCEPT;
use serde::Deserialize;
use serde_json::{json, Value};

use super::http::{base_url, send};
use super::{DeliveryError, Filed};
use crate::secret::Secret;
use crate::ticket::Ticket;

const NAME: &str = "ServiceNow";
const PASSWORD_ENV: &str = "MFA_RELAY_SERVICENOW_PASSWORD";

/// `[helpdesk.servicenow]` in the relay's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub instance: String,
    pub user: String,
    #[serde(default)]
    pub password: Option<Secret>,
    #[serde(default)]
    pub urgency: Option<u8>,
    #[serde(default)]
    pub impact: Option<u8>,
    #[serde(default)]
    pub assignment_group: Option<String>,
}

impl Config {
    pub fn build(self) -> Result<ServiceNow, String> {
        let base = base_url(NAME, "instance", &self.instance)?;
        let user = self.user.trim().to_string();
        if user.is_empty() {
            return Err(
                "ServiceNow `user` is empty: name the integration user the relay signs in as"
                    .into(),
            );
        }
        let password = Secret::from_config_or_env(
            self.password,
            PASSWORD_ENV,
            "the ServiceNow integration user's password (`password`)",
        )?;
        let level = |key: &str, value: Option<u8>| match value.unwrap_or(2) {
            n @ 1..=3 => Ok(n),
            n => Err(format!(
                "ServiceNow `{key}` must be 1 (high), 2 (medium) or 3 (low), not {n}"
            )),
        };
        let urgency = level("urgency", self.urgency)?;
        let impact = level("impact", self.impact)?;
        let assignment_group = match self.assignment_group.map(|g| g.trim().to_string()) {
            None => None,
            Some(group)
                if group.len() == 32 && group.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Some(group)
            }
            Some(group) => {
                return Err(format!(
                    "ServiceNow `assignment_group` must be the group's sys_id \
                     (32 hexadecimal characters, from the group's record in ServiceNow), not {group:?}"
                ))
            }
        };
        Ok(ServiceNow {
            incidents: format!("{base}/api/now/table/incident"),
            journal: format!("{base}/api/now/table/sys_journal_field"),
            user,
            password,
            urgency,
            impact,
            assignment_group,
        })
    }
}

/// Files incidents through ServiceNow's Table API.
#[derive(Debug, Clone)]
pub struct ServiceNow {
    /// `{instance}/api/now/table/incident`.
    incidents: String,
    /// `{instance}/api/now/table/sys_journal_field` (work notes).
    journal: String,
    user: String,
    password: Secret,
    urgency: u8,
    impact: u8,
    assignment_group: Option<String>,
}

impl ServiceNow {
    /// The incident's fields, as `POST /api/now/table/incident` takes them.
    fn incident(&self, ticket: &Ticket) -> Value {
        let mut incident = json!({
            "short_description": ticket.subject(),
            "description": ticket.body(),
            "urgency": self.urgency.to_string(),
            "impact": self.impact.to_string(),
            "correlation_id": ticket.request_id,
        });
        if let Some(group) = &self.assignment_group {
            incident["assignment_group"] = json!(group);
        }
        incident
    }

    /// What 401/403 name: the user, and where its password came from.
    fn credential(&self) -> String {
        format!(
            "the relay signs in as user {:?} with the password from `password` in [helpdesk.servicenow] or {PASSWORD_ENV}",
            self.user
        )
    }

    pub async fn file(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Filed, DeliveryError> {
        let request = http
            .post(&self.incidents)
            .basic_auth(&self.user, Some(self.password.expose()))
            .header(ACCEPT, "application/json")
            .json(&self.incident(ticket));
        let answer = send(NAME, request, &self.password).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let body = answer.json(NAME, "the new incident")?;
        match body.pointer("/result/number").and_then(Value::as_str) {
            Some(number) if !number.is_empty() => Ok(Filed {
                ticket_number: number.to_string(),
            }),
            _ => Err(answer.unexpected(NAME, "result.number (the incident number)")),
        }
    }

    /// `GET …/incident?sysparm_query=number=<number>` for its `sys_id`, then
    /// `PATCH …/incident/{sys_id}` with `work_notes` (visible to agents only).
    /// With `look_first` (an earlier attempt may have added it), the
    /// incident's work notes are read first (`GET …/table/sys_journal_field`,
    /// the table journal fields are kept in, by `element_id` = the sys_id,
    /// `element` = `work_notes` and the note's marker) and nothing is added
    /// if one holds the marker.
    pub async fn add_note(
        &self,
        http: &reqwest::Client,
        number: &str,
        marker: &str,
        text: &str,
        look_first: bool,
    ) -> Result<(), DeliveryError> {
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(DeliveryError::Refused {
                reason: format!("{NAME}: the ticket number {number:?} is not an incident number"),
            });
        }
        let query = format!("number={number}");
        let request = self.get(http, &self.incidents).query(&[
            ("sysparm_query", query.as_str()),
            ("sysparm_fields", "sys_id"),
            ("sysparm_limit", "1"),
        ]);
        let answer = send(NAME, request, &self.password).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let body = answer.json(NAME, "the incident's sys_id")?;
        let Some(sys_id) = body
            .pointer("/result/0/sys_id")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        else {
            return Err(
                answer.unexpected(NAME, &format!("result[0].sys_id (the incident {number})"))
            );
        };
        if look_first {
            // `^` separates an encoded query's conditions; the marker has none.
            let query = format!(
                "element_id={sys_id}^element=work_notes^valueLIKE{}",
                marker.replace('^', " ")
            );
            let request = self.get(http, &self.journal).query(&[
                ("sysparm_query", query.as_str()),
                ("sysparm_fields", "sys_id,value"),
                ("sysparm_limit", "10"),
            ]);
            let answer = send(NAME, request, &self.password).await?;
            if !answer.is_success() {
                return Err(answer.failure(
                    NAME,
                    &format!(
                        "{} (and read access to sys_journal_field, to look for an earlier note)",
                        self.credential()
                    ),
                ));
            }
            let found = answer.json(NAME, "the incident's work notes")?;
            let Some(notes) = found.get("result").and_then(Value::as_array) else {
                return Err(answer.unexpected(NAME, "result (the incident's work notes)"));
            };
            // LIKE is case-blind; the marker is matched exactly.
            if notes.iter().any(|n| {
                n.get("value")
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.contains(marker))
            }) {
                return Ok(());
            }
        }
        let request = http
            .patch(format!("{}/{sys_id}", self.incidents))
            .basic_auth(&self.user, Some(self.password.expose()))
            .header(ACCEPT, "application/json")
            .json(&json!({ "work_notes": text }));
        let answer = send(NAME, request, &self.password).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        Ok(())
    }

    fn get(&self, http: &reqwest::Client, url: &str) -> reqwest::RequestBuilder {
        http.get(url)
            .basic_auth(&self.user, Some(self.password.expose()))
            .header(ACCEPT, "application/json")
    }

    pub async fn find(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Option<Filed>, DeliveryError> {
        let query = format!("correlation_id={}", ticket.request_id);
        let request = http
            .get(&self.incidents)
            .basic_auth(&self.user, Some(self.password.expose()))
            .header(ACCEPT, "application/json")
            .query(&[
                ("sysparm_query", query.as_str()),
                ("sysparm_fields", "number"),
                ("sysparm_limit", "1"),
            ]);
        let answer = send(NAME, request, &self.password).await?;
        if !answer.is_success() {
            return Err(answer.failure(NAME, &self.credential()));
        }
        let body = answer.json(NAME, "the incidents with this correlation_id")?;
        let Some(found) = body.get("result").and_then(Value::as_array) else {
            return Err(answer.unexpected(NAME, "result (an array of incidents)"));
        };
        match found.first() {
            None => Ok(None),
            Some(incident) => match incident.get("number").and_then(Value::as_str) {
                Some(number) if !number.is_empty() => Ok(Some(Filed {
                    ticket_number: number.to_string(),
                })),
                _ => Err(answer.unexpected(NAME, "result[0].number (the incident number)")),
            },
        }
    }
}
