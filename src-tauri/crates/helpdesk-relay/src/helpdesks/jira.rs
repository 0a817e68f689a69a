//! Jira Service Management (Cloud): one customer request per reset
//! request, raised by the relay's agent account on behalf of the user
//! (`peers-and-helpdesks.md` §B.2; Atlassian's Jira Service Management REST
//! API, `developer.atlassian.com/cloud/jira/service-desk/rest/`).
//!
//! # Configuration: `[helpdesk.jira]`
//!
//! | key | required | meaning |
//! |---|---|---|
//! | `base_url` | yes | the site, e.g. `https://contoso.atlassian.net`. `https://` only (`http://` is accepted for a loopback address, for tests). |
//! | `email` | yes | the Atlassian account the relay signs in as (HTTP Basic, with its API token). It must be an agent of the service desk: `raiseOnBehalfOf` is not available to customers. |
//! | `api_token` | no | that account's API token. Better left out of the file: the relay then reads the environment variable `MFA_RELAY_JIRA_API_TOKEN`. One of the two is required. |
//! | `service_desk_id` | yes | the service desk's id (a number, as text or integer), from `GET /rest/servicedeskapi/servicedesk`. |
//! | `request_type_id` | yes | the request type's id (a number), from `GET /rest/servicedeskapi/servicedesk/{id}/requesttype`. It must need no fields beyond `summary` and `description` (see `…/requesttype/{id}/field`). |
//!
//! # What the relay sends
//!
//! `raiseOnBehalfOf` takes the customer's `accountId`, not an email address
//! (Atlassian's JSDCLOUD-6061 asked for email; it was closed, "Timed out"),
//! so filing is up to five calls, of which only the last creates a ticket:
//!
//! 1. `GET /rest/servicedeskapi/servicedesk/{service_desk_id}/customer?query=<upn>`
//!    (an experimental method: sent with `X-ExperimentalApi: opt-in`), and
//!    take the `accountId` of the value whose `emailAddress` is the UPN.
//! 2. If there is none, `POST /rest/servicedeskapi/customer?strictConflictStatusCode=true`
//!    `{"email": upn, "displayName": upn}` creates the customer (answer: the
//!    user, with `accountId`). Atlassian documents that this needs the
//!    *Jira Administrator* global permission; without it the relay retries
//!    and says so (or add the user to the service desk's customers by hand).
//!    `409` means the site already has an account with that email that is
//!    not a customer of this desk (another desk's customer, or one the relay
//!    created in an attempt cut short before step 3): the relay looks it up
//!    with Jira's user search, `GET /rest/api/3/user/search?query=<upn>`
//!    (needs the *Browse users and groups* global permission; users may
//!    hide their email, in which case the relay retries, saying so, until
//!    someone adds them to the desk).
//! 3. After creating or finding one: `POST /rest/servicedeskapi/servicedesk/{id}/customer`
//!    `{"accountIds": [...]}` makes them a customer of this desk (`204`), as
//!    a closed service desk requires.
//! 4. `POST /rest/servicedeskapi/request` with `serviceDeskId`,
//!    `requestTypeId`, `requestFieldValues {summary, description}` (the
//!    subject, with the relay's request id, and the plain-text body) and
//!    `raiseOnBehalfOf`. The answer's `issueKey` (`IT-12`) is the ticket
//!    number.
//!
//! find: `GET /rest/servicedeskapi/request?serviceDeskId=…&searchTerm="<request id>"&requestOwnership=ALL_REQUESTS&requestStatus=ALL_REQUESTS&limit=50`.
//! `searchTerm` "filters customer requests where the request summary matches
//! the searchTerm" (Jira's text search syntax: the quotes make the id one
//! phrase); the relay then keeps only a request whose `summary` field
//! contains the id. Atlassian marks `requestOwnership=ALL_REQUESTS` as
//! deprecated ("explicitly list the desired filtering strategies"), but none
//! of the listed strategies (owned, participated, organisation, approver)
//! covers an agent looking at a request it raised on someone's behalf; if
//! Atlassian removes it, find will start answering 400 and the request
//! will wait in the dead letters, not be filed twice.
//!
//! note (the owner's dispute): `POST /rest/servicedeskapi/request/{key}/comment`
//! `{"body", "public": false}`, an internal comment. A retry after an
//! uncertain attempt first reads `GET …/request/{key}/comment?public=false&internal=true`
//! (paged by `start`/`limit`) and adds nothing if a comment holds the note's
//! marker.
//!
//! Every answer other than those goes through [`super::http::classify`].

use reqwest::header::ACCEPT;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use super::http::{base_url, send, Answer};
use super::{DeliveryError, Filed};
use crate::secret::Secret;
use crate::ticket::Ticket;

const NAME: &str = "Jira Service Management";
const TOKEN_ENV: &str = "MFA_RELAY_JIRA_API_TOKEN";

/// `[helpdesk.jira]` in the relay's configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub base_url: String,
    pub email: String,
    #[serde(default)]
    pub api_token: Option<Secret>,
    #[serde(deserialize_with = "id_text")]
    pub service_desk_id: String,
    #[serde(deserialize_with = "id_text")]
    pub request_type_id: String,
}

/// An id written as `5` or `"5"`.
fn id_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(u64),
        Text(String),
    }
    Ok(match Id::deserialize(deserializer)? {
        Id::Number(n) => n.to_string(),
        Id::Text(text) => text,
    })
}

impl Config {
    pub fn build(self) -> Result<JiraServiceManagement, String> {
        let base = base_url(NAME, "base_url", &self.base_url)?;
        let email = self.email.trim().to_string();
        if !email.contains('@') {
            return Err(format!(
                "Jira Service Management `email` must be the Atlassian account's email address \
                 (the relay signs in with it and its API token), not {email:?}"
            ));
        }
        let api_token = Secret::from_config_or_env(
            self.api_token,
            TOKEN_ENV,
            "the Jira Service Management API token (`api_token`) of the relay's agent account",
        )?;
        let id = |key: &str, value: String| {
            let value = value.trim().to_string();
            if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
                Ok(value)
            } else {
                Err(format!(
                    "Jira Service Management `{key}` must be a number (Jira's id for it), not {value:?}"
                ))
            }
        };
        Ok(JiraServiceManagement {
            service_desk_id: id("service_desk_id", self.service_desk_id)?,
            request_type_id: id("request_type_id", self.request_type_id)?,
            base,
            email,
            api_token,
        })
    }
}

/// Raises customer requests in Jira Service Management.
#[derive(Debug, Clone)]
pub struct JiraServiceManagement {
    base: String,
    email: String,
    api_token: Secret,
    service_desk_id: String,
    request_type_id: String,
}

impl JiraServiceManagement {
    fn credential(&self) -> String {
        format!(
            "the relay signs in as {:?} with the API token from `api_token` in [helpdesk.jira] or {TOKEN_ENV}",
            self.email
        )
    }

    fn get(&self, http: &reqwest::Client, path: &str) -> reqwest::RequestBuilder {
        http.get(format!("{}{path}", self.base))
            .basic_auth(&self.email, Some(self.api_token.expose()))
            .header(ACCEPT, "application/json")
    }

    fn post(&self, http: &reqwest::Client, path: &str, body: &Value) -> reqwest::RequestBuilder {
        http.post(format!("{}{path}", self.base))
            .basic_auth(&self.email, Some(self.api_token.expose()))
            .header(ACCEPT, "application/json")
            .json(body)
    }

    /// `POST /rest/servicedeskapi/request/{key}/comment` with `public: false`
    /// (an internal comment, which customers do not see). With `look_first`
    /// (an earlier attempt may have added it), the request's internal
    /// comments are read first (`GET …/request/{key}/comment?public=false&internal=true`,
    /// page by page) and nothing is added if one holds `marker`.
    pub async fn add_note(
        &self,
        http: &reqwest::Client,
        key: &str,
        marker: &str,
        text: &str,
        look_first: bool,
    ) -> Result<(), DeliveryError> {
        let key = url::form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>();
        let path = format!("/rest/servicedeskapi/request/{key}/comment");
        if look_first && self.has_comment(http, &path, marker).await? {
            return Ok(());
        }
        self.send(self.post(http, &path, &json!({ "body": text, "public": false })))
            .await
            .map(|_| ())
    }

    /// Whether an internal comment at `path` holds `marker`.
    async fn has_comment(
        &self,
        http: &reqwest::Client,
        path: &str,
        marker: &str,
    ) -> Result<bool, DeliveryError> {
        const LIMIT: u64 = 100;
        let mut start = 0u64;
        // At most 50 pages (5,000 comments): a ticket is never that long.
        for _ in 0..50 {
            let answer = self
                .send(self.get(http, path).query(&[
                    ("public", "false"),
                    ("internal", "true"),
                    ("start", start.to_string().as_str()),
                    ("limit", LIMIT.to_string().as_str()),
                ]))
                .await?;
            let page = answer.json(NAME, "the request's comments")?;
            let Some(values) = page.get("values").and_then(Value::as_array) else {
                return Err(answer.unexpected(NAME, "values (the request's comments)"));
            };
            if values.iter().any(|c| {
                c.get("body")
                    .and_then(Value::as_str)
                    .is_some_and(|b| b.contains(marker))
            }) {
                return Ok(true);
            }
            let last = page
                .get("isLastPage")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            if last || values.is_empty() {
                return Ok(false);
            }
            start += values.len() as u64;
        }
        Ok(false)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer, DeliveryError> {
        let answer = send(NAME, request, &self.api_token).await?;
        if answer.is_success() {
            Ok(answer)
        } else {
            Err(answer.failure(NAME, &self.credential()))
        }
    }

    /// The `accountId` of the customer whose email is `upn`, creating the
    /// customer (and adding them to the service desk) if there is none.
    async fn customer(&self, http: &reqwest::Client, upn: &str) -> Result<String, DeliveryError> {
        let desk_customers = format!(
            "/rest/servicedeskapi/servicedesk/{}/customer",
            self.service_desk_id
        );
        let answer = self
            .send(
                self.get(http, &desk_customers)
                    .header("X-ExperimentalApi", "opt-in")
                    .query(&[("query", upn)]),
            )
            .await?;
        let listed = answer.json(NAME, "the service desk's customers")?;
        let Some(values) = listed.get("values").and_then(Value::as_array) else {
            return Err(answer.unexpected(NAME, "values (the service desk's customers)"));
        };
        let known = values.iter().find(|customer| {
            customer
                .get("emailAddress")
                .and_then(Value::as_str)
                .is_some_and(|email| email.eq_ignore_ascii_case(upn))
        });
        if let Some(customer) = known {
            return match customer.get("accountId").and_then(Value::as_str) {
                Some(id) if !id.is_empty() => Ok(id.to_string()),
                _ => Err(answer.unexpected(NAME, "the customer's accountId")),
            };
        }

        let created = send(
            NAME,
            self.post(
                http,
                "/rest/servicedeskapi/customer",
                &json!({"email": upn, "displayName": upn}),
            )
            .query(&[("strictConflictStatusCode", "true")]),
            &self.api_token,
        )
        .await?;
        match created.status {
            403 => {
                return Err(DeliveryError::Retry {
                    reason: format!(
                        "{NAME} did not let the relay create a customer account for {upn} (403): \
                         creating customers needs the Jira Administrator global permission for {:?}; \
                         grant it, or add {upn} to the customers of service desk {} by hand",
                        self.email, self.service_desk_id
                    ),
                    after: None,
                })
            }
            409 => {
                let Some(account_id) = self.site_user(http, upn).await? else {
                    return Err(DeliveryError::Retry {
                        reason: format!(
                            "{NAME} already has an account for {upn}, but not as a customer of \
                             service desk {}, and its user search does not show that account's \
                             email: add {upn} to that service desk's customers and the next attempt \
                             files the request",
                            self.service_desk_id
                        ),
                        after: None,
                    });
                };
                self.add_to_desk(http, &account_id).await?;
                return Ok(account_id);
            }
            _ if !created.is_success() => {
                return Err(created.failure(NAME, &self.credential()))
            }
            _ => {}
        }
        let customer = created.json(NAME, "the new customer")?;
        let Some(account_id) = customer
            .get("accountId")
            .and_then(Value::as_str)
            .filter(|id| !id.is_empty())
            .map(str::to_string)
        else {
            return Err(created.unexpected(NAME, "accountId (the new customer's id)"));
        };
        self.add_to_desk(http, &account_id).await?;
        Ok(account_id)
    }

    /// Makes `account_id` a customer of the service desk.
    async fn add_to_desk(
        &self,
        http: &reqwest::Client,
        account_id: &str,
    ) -> Result<(), DeliveryError> {
        let path = format!(
            "/rest/servicedeskapi/servicedesk/{}/customer",
            self.service_desk_id
        );
        self.send(self.post(http, &path, &json!({"accountIds": [account_id]})))
            .await
            .map(drop)
    }

    /// The `accountId` of the site's user whose (visible) email is `upn`:
    /// `GET /rest/api/3/user/search?query=<upn>`.
    async fn site_user(
        &self,
        http: &reqwest::Client,
        upn: &str,
    ) -> Result<Option<String>, DeliveryError> {
        let answer = self
            .send(
                self.get(http, "/rest/api/3/user/search")
                    .query(&[("query", upn)]),
            )
            .await?;
        let users = answer.json(NAME, "the users matching the UPN")?;
        let Some(users) = users.as_array() else {
            return Err(answer.unexpected(NAME, "a list of users"));
        };
        Ok(users
            .iter()
            .filter(|user| {
                user.get("emailAddress")
                    .and_then(Value::as_str)
                    .is_some_and(|email| email.eq_ignore_ascii_case(upn))
            })
            .find_map(|user| user.get("accountId").and_then(Value::as_str))
            .filter(|id| !id.is_empty())
            .map(str::to_string))
    }

    pub async fn file(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Filed, DeliveryError> {
        let account_id = self.customer(http, ticket.request.upn.as_str()).await?;
        let request = json!({
            "serviceDeskId": self.service_desk_id,
            "requestTypeId": self.request_type_id,
            "requestFieldValues": {
                "summary": ticket.subject(),
                "description": ticket.body(),
            },
            "raiseOnBehalfOf": account_id,
        });
        let answer = self
            .send(self.post(http, "/rest/servicedeskapi/request", &request))
            .await?;
        let body = answer.json(NAME, "the new request")?;
        match body.get("issueKey").and_then(Value::as_str) {
            Some(key) if !key.is_empty() => Ok(Filed {
                ticket_number: key.to_string(),
            }),
            _ => Err(answer.unexpected(NAME, "issueKey (the request's key)")),
        }
    }

    pub async fn find(
        &self,
        http: &reqwest::Client,
        ticket: &Ticket,
    ) -> Result<Option<Filed>, DeliveryError> {
        let phrase = format!("\"{}\"", ticket.request_id);
        let answer = self
            .send(self.get(http, "/rest/servicedeskapi/request").query(&[
                ("serviceDeskId", self.service_desk_id.as_str()),
                ("searchTerm", phrase.as_str()),
                ("requestOwnership", "ALL_REQUESTS"),
                ("requestStatus", "ALL_REQUESTS"),
                ("limit", "50"),
            ]))
            .await?;
        let body = answer.json(NAME, "the requests matching the request id")?;
        let Some(values) = body.get("values").and_then(Value::as_array) else {
            return Err(answer.unexpected(NAME, "values (the matching requests)"));
        };
        for request in values {
            let summary = request
                .get("requestFieldValues")
                .and_then(Value::as_array)
                .and_then(|fields| {
                    fields
                        .iter()
                        .find(|f| f.get("fieldId").and_then(Value::as_str) == Some("summary"))
                })
                .and_then(|f| f.get("value"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            if !summary.contains(&ticket.request_id) {
                continue;
            }
            return match request.get("issueKey").and_then(Value::as_str) {
                Some(key) if !key.is_empty() => Ok(Some(Filed {
                    ticket_number: key.to_string(),
                })),
                _ => Err(answer.unexpected(NAME, "issueKey of the matching request")),
            };
        }
        Ok(None)
    }
}
