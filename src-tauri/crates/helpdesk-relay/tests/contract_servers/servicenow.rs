//! ServiceNow's Table API for `incident`, as
//! `ServiceNow/ServiceNowDocs:markdown/api-reference/rest-apis/c_TableAPI.md`
//! documents it (`peers-and-helpdesks.md` §B.1):
//!
//! - `POST /api/now/table/incident`, Basic auth, JSON body of the record's
//!   fields (values as strings) -> `201` with a `Location` header and
//!   `{"result": {"number": "INC0010002", "sys_id": ..., ...}}`;
//! - `GET /api/now/table/incident?sysparm_query=…&sysparm_fields=…&sysparm_limit=…`
//!   -> `200` `{"result": [ {fields} ]}`;
//! - `GET /api/now/table/incident?sysparm_query=number=<number>&sysparm_fields=sys_id&sysparm_limit=1`
//!   -> `200` `{"result": [{"sys_id"}]}` (the record a note goes to);
//! - `PATCH /api/now/table/incident/{sys_id}` JSON `{"work_notes": "…"}` ->
//!   `200` `{"result": {record}}`; the work note becomes a journal entry
//!   (`sys_journal_field`: `element_id` the record's sys_id, `element`
//!   `work_notes`, `name` `incident`, `value` the text); an unknown sys_id
//!   -> `404` `{"error":{"message":"No Record found",…},"status":"failure"}`;
//! - `GET /api/now/table/sys_journal_field?sysparm_query=element_id=<sys_id>^element=work_notes^valueLIKE<text>`
//!   -> `200` `{"result": [{fields}]}` (the Table API over the journal table,
//!   as "Retrieve journal entries" describes it);
//! - no or wrong credentials -> `401`
//!   `{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}`.

use serde_json::{json, Value};

use super::{Answer, Captured, Problems, Server};

pub const PATH: &str = "/api/now/table/incident";
pub const JOURNAL: &str = "/api/now/table/sys_journal_field";

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
    /// Its work notes, oldest first.
    pub work_notes: Vec<String>,
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
        ("GET", PATH)
            if request
                .param("sysparm_query")
                .is_some_and(|q| q.starts_with("number=")) =>
        {
            by_number(state, request, problems)
        }
        ("GET", PATH) => list(state, request, problems),
        ("PATCH", path) if path.starts_with(&format!("{PATH}/")) => {
            update(state, request, problems, &path[PATH.len() + 1..])
        }
        ("GET", JOURNAL) => journal(state, request, problems),
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
        work_notes: Vec::new(),
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

fn by_number(state: &mut ServiceNow, request: &Captured, mut problems: Problems) -> Answer {
    let query = request.param("sysparm_query").unwrap_or_default();
    let number = query.strip_prefix("number=").unwrap_or_default();
    problems.check(
        !number.is_empty() && !number.contains('^'),
        format!("sysparm_query must be number=<number> (one condition), not {query:?}"),
    );
    problems.check(
        request.param("sysparm_fields") == Some("sys_id"),
        "sysparm_fields must be sys_id (only the sys_id is needed)",
    );
    problems.check(
        request.param("sysparm_limit") == Some("1"),
        "sysparm_limit must be 1",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let found: Vec<Value> = state
        .incidents
        .iter()
        .filter(|i| i.number == number)
        .take(1)
        .map(|i| json!({"sys_id": i.sys_id}))
        .collect();
    Answer::json(200, json!({"result": found}))
}

fn update(
    state: &mut ServiceNow,
    request: &Captured,
    mut problems: Problems,
    sys_id: &str,
) -> Answer {
    problems.check(request.is_json(), "Content-Type must be application/json");
    let body = request.json();
    problems.check(
        body.is_object(),
        "the body must be a JSON object of incident fields",
    );
    problems.string(&body, "work_notes", "");
    problems.only(&body, &["work_notes"], "the relay only adds a work note: ");
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let Some(incident) = state.incidents.iter_mut().find(|i| i.sys_id == sys_id) else {
        return Answer::json(
            404,
            json!({"error": {"message": "No Record found", "detail": "Record doesn't exist or ACL restricts the record retrieval"}, "status": "failure"}),
        );
    };
    incident
        .work_notes
        .push(body["work_notes"].as_str().unwrap_or_default().to_string());
    let mut record = incident.fields.clone();
    record["number"] = json!(incident.number);
    record["sys_id"] = json!(incident.sys_id);
    // A journal field reads back empty on the record itself.
    record["work_notes"] = json!("");
    Answer::json(200, json!({"result": record}))
}

fn journal(state: &mut ServiceNow, request: &Captured, mut problems: Problems) -> Answer {
    let query = request
        .param("sysparm_query")
        .unwrap_or_default()
        .to_string();
    let conditions: Vec<&str> = query.split('^').collect();
    let element_id = conditions
        .iter()
        .find_map(|c| c.strip_prefix("element_id="));
    let like = conditions.iter().find_map(|c| c.strip_prefix("valueLIKE"));
    problems.check(
        element_id.is_some_and(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())),
        format!("sysparm_query must name the record: element_id=<sys_id>, not {query:?}"),
    );
    problems.check(
        conditions.contains(&"element=work_notes"),
        format!("sysparm_query must ask for work notes only: element=work_notes, not {query:?}"),
    );
    problems.check(
        conditions.iter().all(|c| {
            c.starts_with("element_id=") || *c == "element=work_notes" || c.starts_with("valueLIKE")
        }),
        format!("sysparm_query has a condition the relay has no reason to send: {query:?}"),
    );
    problems.check(
        request
            .param("sysparm_limit")
            .is_some_and(|l| l.parse::<u32>().is_ok_and(|n| (1..=10_000).contains(&n))),
        "sysparm_limit must be a number of records",
    );
    if let Some(violation) = problems.answer() {
        return violation;
    }
    let fields: Vec<&str> = request
        .param("sysparm_fields")
        .map(|f| f.split(',').collect())
        .unwrap_or_default();
    let element_id = element_id.unwrap_or_default();
    let found: Vec<Value> = state
        .incidents
        .iter()
        .filter(|i| i.sys_id == element_id)
        .flat_map(|i| i.work_notes.iter().enumerate().map(move |(n, v)| (i, n, v)))
        // LIKE: a case-blind substring.
        .filter(|(_, _, v)| like.is_none_or(|l| v.to_lowercase().contains(&l.to_lowercase())))
        .map(|(i, n, v)| {
            let record = json!({
                "sys_id": format!("{:032x}", 0x4a11_u128 * 1000 + n as u128),
                "element_id": i.sys_id,
                "element": "work_notes",
                "name": "incident",
                "value": v,
            });
            if fields.is_empty() {
                record
            } else {
                Value::Object(
                    record
                        .as_object()
                        .unwrap()
                        .iter()
                        .filter(|(k, _)| fields.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                )
            }
        })
        .collect();
    Answer::json(200, json!({"result": found}))
}
