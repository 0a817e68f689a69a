//! ServiceNow's Table API for `incident`, as
//! `ServiceNow/ServiceNowDocs:markdown/api-reference/rest-apis/c_TableAPI.md`
//! documents it (`peers-and-helpdesks.md` §B.1):
//!
//! - `POST /api/now/table/incident`, Basic auth, JSON body of the record's
//!   fields (values as strings) -> `201` with a `Location` header and
//!   `{"result": {"number": "INC0010002", "sys_id": ..., ...}}`;
//! - `GET /api/now/table/incident?sysparm_query=…&sysparm_fields=…&sysparm_limit=…`
//!   -> `200` `{"result": [ {fields} ]}`;
//! - no or wrong credentials -> `401`
//!   `{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}`.

use serde_json::{json, Value};

use super::{Answer, Captured, Problems, Server};

pub const PATH: &str = "/api/now/table/incident";

/// The fields the relay may set on an incident (the incident table has
/// many more; these are the ones it has a reason to set).
const FIELDS: [&str; 6] = [
    "short_description",
    "description",
    "urgency",
    "impact",
    "correlation_id",
    "assignment_group",
];

#[derive(Debug, Clone)]
pub struct Incident {
    pub number: String,
    pub sys_id: String,
    pub fields: Value,
}

pub struct ServiceNow {
    pub user: String,
    pub password: String,
    pub incidents: Vec<Incident>,
}

pub async fn start(user: &str, password: &str) -> Server<ServiceNow> {
    Server::start(
        ServiceNow {
            user: user.into(),
            password: password.into(),
            incidents: Vec::new(),
        },
        handle,
    )
    .await
}

fn handle(state: &mut ServiceNow, request: &Captured) -> Answer {
    if !request.has_basic(&state.user, &state.password) {
        return Answer::json(
            401,
            json!({"error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"}, "status": "failure"}),
        );
    }
    let mut problems = Problems::default();
    problems.check(
        request
            .header("accept")
            .is_some_and(|a| a.contains("application/json")),
        "Accept must be application/json (ServiceNow answers XML otherwise when asked)",
    );
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", PATH) => create(state, request, problems),
        ("GET", PATH) => list(state, request, problems),
        (method, path) => Answer::contract_violation(&[format!(
            "ServiceNow has no {method} {path} for the relay"
        )]),
    }
}

fn create(state: &mut ServiceNow, request: &Captured, mut problems: Problems) -> Answer {
    problems.check(request.is_json(), "Content-Type must be application/json");
    let body = request.json();
    problems.check(
        body.is_object(),
        "the body must be a JSON object of incident fields",
    );
    problems.string(&body, "short_description", "");
    problems.check(
        body.get("description").is_some_and(Value::is_string),
        "description must be a string",
    );
    for level in ["urgency", "impact"] {
        problems.check(
            body.get(level)
                .and_then(Value::as_str)
                .is_some_and(|v| ["1", "2", "3"].contains(&v)),
            format!("{level} must be \"1\", \"2\" or \"3\" (a choice value, as a string)"),
        );
    }
    problems.check(
        body.get("correlation_id")
            .and_then(Value::as_str)
            .is_some_and(|c| !c.is_empty() && c.len() <= 100),
        "correlation_id must be a string of 1 to 100 characters",
    );
    problems.check(
        body.get("caller_id").is_none(),
        "caller_id must not be set: it asserts who the caller is, which nobody has verified",
    );
    if let Some(group) = body.get("assignment_group") {
        problems.check(
            group
                .as_str()
                .is_some_and(|g| g.len() == 32 && g.bytes().all(|b| b.is_ascii_hexdigit())),
            "assignment_group must be a sys_id (32 hexadecimal characters)",
        );
    }
    problems.only(&body, &FIELDS, "");
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let number = format!("INC{:07}", 10001 + state.incidents.len());
    let sys_id = format!(
        "{:032x}",
        0x9d38_5017_c611_2280_0090_8e00_u128 + state.incidents.len() as u128
    );
    let mut record = body.clone();
    record["number"] = json!(number);
    record["sys_id"] = json!(sys_id);
    record["state"] = json!("1");
    state.incidents.push(Incident {
        number: number.clone(),
        sys_id: sys_id.clone(),
        fields: body,
    });
    Answer::json(201, json!({"result": record})).with_header(
        "location",
        &format!("https://instance.example{PATH}/{sys_id}"),
    )
}

fn list(state: &mut ServiceNow, request: &Captured, mut problems: Problems) -> Answer {
    let query = request.param("sysparm_query").unwrap_or_default();
    let correlation = query.strip_prefix("correlation_id=");
    problems.check(
        correlation.is_some_and(|c| !c.is_empty() && !c.contains('^')),
        format!("sysparm_query must be correlation_id=<id> (one condition), not {query:?}"),
    );
    problems.check(
        request.param("sysparm_fields") == Some("number"),
        "sysparm_fields must be number (only the number is needed)",
    );
    problems.check(
        request.param("sysparm_limit") == Some("1"),
        "sysparm_limit must be 1",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let correlation = correlation.unwrap_or_default();
    let found: Vec<Value> = state
        .incidents
        .iter()
        .filter(|i| i.fields["correlation_id"] == correlation)
        .take(1)
        .map(|i| json!({"number": i.number}))
        .collect();
    Answer::json(200, json!({"result": found}))
}
