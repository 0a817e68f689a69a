//! Jira Service Management Cloud's REST API, the parts the relay uses, as
//! Atlassian documents them (`developer.atlassian.com/cloud/jira/service-desk/rest/`,
//! mirrored by the jira.js models; `peers-and-helpdesks.md` §B.2):
//!
//! - `GET /rest/servicedeskapi/servicedesk/{id}/customer?query=` (experimental:
//!   `X-ExperimentalApi: opt-in`) -> `200` page `{size,start,limit,isLastPage,values:[user]}`;
//! - `POST /rest/servicedeskapi/customer` `{email, displayName}` -> `201` user
//!   (`accountId`, `emailAddress`, `displayName`, ...); an existing email ->
//!   `409` with `strictConflictStatusCode=true`, else `400`;
//! - `POST /rest/servicedeskapi/servicedesk/{id}/customer` `{accountIds}` -> `204`;
//! - `GET /rest/api/3/user/search?query=` -> `200` array of users;
//! - `POST /rest/servicedeskapi/request` `{serviceDeskId, requestTypeId,
//!   requestFieldValues, raiseOnBehalfOf}` -> `201` customer request
//!   (`issueId`, `issueKey`, `requestFieldValues: [{fieldId,label,value}]`, ...);
//! - `GET /rest/servicedeskapi/request?serviceDeskId&searchTerm&requestOwnership&requestStatus`
//!   -> `200` page of customer requests (a loose text match on the summary);
//! - `POST /rest/servicedeskapi/request/{issueIdOrKey}/comment` `{body, public}`
//!   -> `201` comment (`id`, `body`, `public`, `author`, `created`); `public:
//!   false` is an internal comment, which customers never see; an unknown
//!   request -> `404`;
//! - `GET /rest/servicedeskapi/request/{issueIdOrKey}/comment?public=&internal=&start=&limit=`
//!   -> `200` page of comments (both kinds by default);
//! - wrong credentials -> `401`.

use serde_json::{json, Value};

use super::{loosely_matches, Answer, Captured, Problems, Server};

#[derive(Debug, Clone)]
pub struct Customer {
    pub account_id: String,
    pub email: String,
    pub in_desk: bool,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub issue_key: String,
    pub summary: String,
    pub description: String,
    pub on_behalf_of: String,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub body: String,
    pub public: bool,
}

pub struct Jira {
    pub email: String,
    pub token: String,
    pub desk: String,
    pub request_type: String,
    pub customers: Vec<Customer>,
    pub requests: Vec<Request>,
    /// Whether the caller lacks the Jira Administrator global permission
    /// creating customers needs (`403`).
    pub no_admin: bool,
}

impl Jira {
    /// Adds a customer (in the desk or only on the site); its accountId.
    pub fn add_customer(&mut self, email: &str, in_desk: bool) -> String {
        let account_id = format!(
            "qm:{:08x}:{}",
            0x5ad6_d358 + self.customers.len(),
            email.len()
        );
        self.customers.push(Customer {
            account_id: account_id.clone(),
            email: email.into(),
            in_desk,
        });
        account_id
    }
}

pub async fn start(email: &str, token: &str, desk: &str, request_type: &str) -> Server<Jira> {
    Server::start(
        Jira {
            email: email.into(),
            token: token.into(),
            desk: desk.into(),
            request_type: request_type.into(),
            customers: Vec::new(),
            requests: Vec::new(),
            no_admin: false,
        },
        handle,
    )
    .await
}

fn user(customer: &Customer) -> Value {
    json!({
        "accountId": customer.account_id,
        "name": customer.account_id,
        "key": customer.account_id,
        "emailAddress": customer.email,
        "displayName": customer.email,
        "active": true,
        "timeZone": "UTC",
        "_links": {"jiraRest": "https://site.example/rest/api/2/user", "avatarUrls": {}, "self": "https://site.example/rest/api/2/user"},
    })
}

fn request_json(state: &Jira, request: &Request, index: usize) -> Value {
    json!({
        "_expands": ["participant", "status", "sla", "requestType", "serviceDesk", "attachment", "action", "comment"],
        "issueId": (10010 + index).to_string(),
        "issueKey": request.issue_key,
        "requestTypeId": state.request_type,
        "serviceDeskId": state.desk,
        "createdDate": {"iso8601": "2026-03-01T09:30:00+0000", "jira": "2026-03-01T09:30:00.000+0000", "friendly": "Today 09:30", "epochMillis": 1772357400000u64},
        "reporter": {"accountId": request.on_behalf_of},
        "requestFieldValues": [
            {"fieldId": "summary", "label": "Summary", "value": request.summary},
            {"fieldId": "description", "label": "Description", "value": request.description},
        ],
        "currentStatus": {"status": "Waiting for support", "statusCategory": "NEW"},
        "_links": {"web": format!("https://site.example/servicedesk/customer/portal/{}/{}", state.desk, request.issue_key), "self": "https://site.example/rest/servicedeskapi/request/10010"},
    })
}

fn page(values: Vec<Value>) -> Value {
    json!({"_expands": [], "size": values.len(), "start": 0, "limit": 50, "isLastPage": true, "_links": {}, "values": values})
}

fn handle(state: &mut Jira, request: &Captured) -> Answer {
    if !request.has_basic(&state.email, &state.token) {
        return Answer::json(
            401,
            json!({"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}}),
        )
        .with_header("www-authenticate", "OAuth realm=\"https%3A%2F%2Fsite.example\"");
    }
    let desk_customers = format!("/rest/servicedeskapi/servicedesk/{}/customer", state.desk);
    let mut problems = Problems::default();
    problems.check(
        request
            .header("accept")
            .is_some_and(|a| a.contains("application/json")),
        "Accept must be application/json",
    );
    if request.method == "POST" {
        problems.check(request.is_json(), "Content-Type must be application/json");
    }
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", path) if path == desk_customers => list_customers(state, request, problems),
        ("POST", path) if path == desk_customers => add_customers(state, request, problems),
        ("POST", "/rest/servicedeskapi/customer") => create_customer(state, request, problems),
        ("GET", "/rest/api/3/user/search") => search_users(state, request, problems),
        ("POST", "/rest/servicedeskapi/request") => create_request(state, request, problems),
        ("GET", "/rest/servicedeskapi/request") => list_requests(state, request, problems),
        (method, path)
            if path.starts_with("/rest/servicedeskapi/request/") && path.ends_with("/comment") =>
        {
            let key = path
                .trim_start_matches("/rest/servicedeskapi/request/")
                .trim_end_matches("/comment")
                .to_string();
            match method {
                "POST" => add_comment(state, request, problems, &key),
                "GET" => list_comments(state, request, problems, &key),
                _ => Answer::contract_violation(&[format!("no {method} {path}")]),
            }
        }
        (method, path) => Answer::contract_violation(&[format!(
            "no {method} {path} here (is the service desk id {} in the path?)",
            state.desk
        )]),
    }
}

fn list_customers(state: &mut Jira, request: &Captured, mut problems: Problems) -> Answer {
    problems.check(
        request.header("x-experimentalapi") == Some("opt-in"),
        "GET …/servicedesk/{id}/customer is experimental: it needs X-ExperimentalApi: opt-in",
    );
    let query = request.param("query").unwrap_or_default().to_lowercase();
    problems.check(
        !query.is_empty(),
        "query (the string to filter customers by) is missing",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let values = state
        .customers
        .iter()
        .filter(|c| c.in_desk && c.email.to_lowercase().contains(&query))
        .map(user)
        .collect();
    Answer::json(200, page(values))
}

fn create_customer(state: &mut Jira, request: &Captured, mut problems: Problems) -> Answer {
    if state.no_admin {
        return Answer::json(
            403,
            json!({"errorMessage": "You do not have permission to create customers", "i18nErrorMessage": {"i18nKey": "sd.customer.create.forbidden", "parameters": []}}),
        );
    }
    let body = request.json();
    problems.string(&body, "email", "");
    problems.string(&body, "displayName", "");
    problems.only(&body, &["email", "displayName", "fullName"], "");
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let email = body["email"].as_str().unwrap_or_default().to_string();
    if state
        .customers
        .iter()
        .any(|c| c.email.eq_ignore_ascii_case(&email))
    {
        let status = if request.param("strictConflictStatusCode") == Some("true") {
            409
        } else {
            400
        };
        return Answer::json(
            status,
            json!({"errorMessage": "An account already exists for this email", "i18nErrorMessage": {"i18nKey": "sd.customer.email.error.exists", "parameters": []}}),
        );
    }
    let account_id = state.add_customer(&email, false);
    let created = state
        .customers
        .iter()
        .find(|c| c.account_id == account_id)
        .map(user)
        .unwrap_or_default();
    Answer::json(201, created)
}

fn add_customers(state: &mut Jira, request: &Captured, mut problems: Problems) -> Answer {
    let body = request.json();
    let ids: Vec<String> = body
        .get("accountIds")
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    problems.check(
        !ids.is_empty(),
        "accountIds must be a non-empty array of accountIds",
    );
    problems.only(&body, &["accountIds", "usernames"], "");
    for id in &ids {
        problems.check(
            state.customers.iter().any(|c| &c.account_id == id),
            format!("accountId {id} is no user of this site"),
        );
    }
    if let Some(violation) = problems.answer() {
        return violation;
    }
    for customer in state
        .customers
        .iter_mut()
        .filter(|c| ids.contains(&c.account_id))
    {
        customer.in_desk = true;
    }
    Answer::empty(204)
}

fn search_users(state: &mut Jira, request: &Captured, mut problems: Problems) -> Answer {
    let query = request.param("query").unwrap_or_default().to_lowercase();
    problems.check(!query.is_empty(), "query is missing");
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let users: Vec<Value> = state
        .customers
        .iter()
        .filter(|c| c.email.to_lowercase().starts_with(&query))
        .map(|c| {
            let mut u = user(c);
            u["accountType"] = json!("customer");
            u
        })
        .collect();
    Answer::json(200, Value::Array(users))
}

fn create_request(state: &mut Jira, request: &Captured, mut problems: Problems) -> Answer {
    let body = request.json();
    problems.check(
        body.get("serviceDeskId").and_then(Value::as_str) == Some(state.desk.as_str()),
        format!("serviceDeskId must be the string {:?}", state.desk),
    );
    problems.check(
        body.get("requestTypeId").and_then(Value::as_str) == Some(state.request_type.as_str()),
        format!("requestTypeId must be the string {:?}", state.request_type),
    );
    let fields = body
        .get("requestFieldValues")
        .cloned()
        .unwrap_or(Value::Null);
    problems.check(
        fields.is_object(),
        "requestFieldValues must be an object of field ids to values",
    );
    problems.string(&fields, "summary", "requestFieldValues.");
    problems.string(&fields, "description", "requestFieldValues.");
    problems.only(&fields, &["summary", "description"], "requestFieldValues.");
    let on_behalf = body
        .get("raiseOnBehalfOf")
        .and_then(Value::as_str)
        .unwrap_or_default();
    problems.check(
        state.customers.iter().any(|c| c.account_id == on_behalf && c.in_desk),
        format!("raiseOnBehalfOf must be the accountId of a customer of service desk {} (not an email), not {on_behalf:?}", state.desk),
    );
    problems.only(
        &body,
        &[
            "serviceDeskId",
            "requestTypeId",
            "requestFieldValues",
            "raiseOnBehalfOf",
            "requestParticipants",
            "channel",
            "isAdfRequest",
        ],
        "",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let created = Request {
        issue_key: format!("IT-{}", 12 + state.requests.len()),
        summary: fields["summary"].as_str().unwrap_or_default().into(),
        description: fields["description"].as_str().unwrap_or_default().into(),
        on_behalf_of: on_behalf.into(),
        comments: Vec::new(),
    };
    state.requests.push(created.clone());
    let answer = request_json(state, &created, state.requests.len() - 1);
    Answer::json(201, answer)
}

fn list_requests(state: &mut Jira, request: &Captured, mut problems: Problems) -> Answer {
    const OWNERSHIP: [&str; 6] = [
        "OWNED_REQUESTS",
        "PARTICIPATED_REQUESTS",
        "ORGANIZATION",
        "ALL_ORGANIZATIONS",
        "APPROVER",
        "ALL_REQUESTS",
    ];
    problems.check(
        request.param("serviceDeskId") == Some(state.desk.as_str()),
        format!("serviceDeskId must be {}", state.desk),
    );
    let term = request.param("searchTerm").unwrap_or_default();
    problems.check(!term.is_empty(), "searchTerm is missing");
    for (name, value) in &request.query {
        if name == "requestOwnership" {
            problems.check(
                OWNERSHIP.contains(&value.as_str()),
                format!("requestOwnership {value:?} is not one of {OWNERSHIP:?}"),
            );
        }
        if name == "requestStatus" {
            problems.check(
                ["OPEN_REQUESTS", "CLOSED_REQUESTS", "ALL_REQUESTS"].contains(&value.as_str()),
                format!(
                    "requestStatus {value:?} is not OPEN_REQUESTS, CLOSED_REQUESTS or ALL_REQUESTS"
                ),
            );
        }
    }
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let values = state
        .requests
        .iter()
        .enumerate()
        .filter(|(_, r)| loosely_matches(&r.summary, term))
        .map(|(i, r)| request_json(state, r, i))
        .collect();
    Answer::json(200, page(values))
}

fn comment_json(index: usize, comment: &Comment) -> Value {
    json!({
        "id": (10_000 + index).to_string(),
        "body": comment.body,
        "public": comment.public,
        "author": {"accountId": "relay-agent", "displayName": "MFA relay", "active": true},
        "created": {"iso8601": "2026-03-01T09:31:00+0000", "epochMillis": 1772357460000u64},
        "_links": {"self": "https://site.example/rest/servicedeskapi/request/10010/comment"},
    })
}

fn no_request(key: &str) -> Answer {
    Answer::json(
        404,
        json!({"errorMessage": format!("The request {key} does not exist or you do not have permission to see it."), "i18nErrorMessage": {"i18nKey": "sd.request.error.not.found", "parameters": []}}),
    )
}

fn add_comment(state: &mut Jira, request: &Captured, mut problems: Problems, key: &str) -> Answer {
    let body = request.json();
    problems.string(&body, "body", "");
    problems.check(
        body.get("public").is_some_and(Value::is_boolean),
        "public must be a boolean (false: an internal comment customers do not see)",
    );
    problems.only(&body, &["body", "public"], "");
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let Some(found) = state.requests.iter_mut().find(|r| r.issue_key == key) else {
        return no_request(key);
    };
    let comment = Comment {
        body: body["body"].as_str().unwrap_or_default().into(),
        public: body["public"].as_bool().unwrap_or(true),
    };
    found.comments.push(comment.clone());
    Answer::json(201, comment_json(found.comments.len() - 1, &comment))
}

fn list_comments(
    state: &mut Jira,
    request: &Captured,
    mut problems: Problems,
    key: &str,
) -> Answer {
    let flag = |name: &str| request.param(name).map(|v| v == "true");
    for name in ["public", "internal"] {
        problems.check(
            request
                .param(name)
                .is_none_or(|v| v == "true" || v == "false"),
            format!("{name} must be true or false"),
        );
    }
    let start: usize = request
        .param("start")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let limit: usize = request
        .param("limit")
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    problems.check((1..=100).contains(&limit), "limit must be 1 to 100");
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let Some(found) = state.requests.iter().find(|r| r.issue_key == key) else {
        return no_request(key);
    };
    let (public, internal) = (
        flag("public").unwrap_or(true),
        flag("internal").unwrap_or(true),
    );
    let all: Vec<Value> = found
        .comments
        .iter()
        .enumerate()
        .filter(|(_, c)| if c.public { public } else { internal })
        .map(|(i, c)| comment_json(i, c))
        .collect();
    let values: Vec<Value> = all.iter().skip(start).take(limit).cloned().collect();
    let last = start + values.len() >= all.len();
    Answer::json(
        200,
        json!({"_expands": [], "size": values.len(), "start": start, "limit": limit, "isLastPage": last, "_links": {}, "values": values}),
    )
}
