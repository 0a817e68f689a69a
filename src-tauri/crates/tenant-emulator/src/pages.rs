//! The emulator's HTML pages: sign-in, the simulated MFA step, the device
//! code pages and error pages.
//!
//! Invariants: every page carries the banner "Demo tenant (emulated, not
//! Microsoft)"; every dynamic value is HTML-escaped; nothing is fetched from
//! the network (inline CSS, system fonts, no scripts). Forms and inputs have
//! stable ids and names (`credentials`, `login`, `passwd`, `second-factor`,
//! `otc`, `action`, `flow`, `demo-code`, `device-code`) that the scripted
//! browser relies on; the sign-in page's second form, `tap-credentials`
//! (`login`, `tap`, `action=tap`), signs in with a Temporary Access Pass.

use crate::demo;
use crate::identity::flows::SecondFactorChallenge;

/// The banner text every page shows.
pub const BANNER: &str = "Demo tenant (emulated, not Microsoft)";

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;background:#f3f2f1;color:#1b1b1b;font-family:"Segoe UI","Segoe UI Web (West European)",-apple-system,BlinkMacSystemFont,Roboto,"Helvetica Neue",sans-serif;font-size:15px;line-height:1.45}
.banner{background:#fff4ce;border-bottom:1px solid #f2c94c;color:#4d3c00;padding:8px 16px;text-align:center;font-weight:600}
main{max-width:792px;margin:40px auto;padding:0 16px}
.card{background:#fff;box-shadow:0 2px 6px rgba(0,0,0,.2);padding:36px 44px;margin:0 auto 20px;max-width:460px}
.card.wide{max-width:760px}
.tenant{font-weight:600;color:#605e5c;margin:0 0 12px}
h1{font-size:24px;font-weight:600;margin:0 0 16px}
p{margin:0 0 14px}
label{display:block;font-size:13px;color:#605e5c;margin:10px 0 2px}
input[type=text],input[type=email],input[type=password]{width:100%;border:none;border-bottom:1px solid #666;padding:6px 0;font-size:15px;background:transparent;outline:none}
input:focus{border-bottom:2px solid #0067b8}
.actions{display:flex;gap:8px;justify-content:flex-end;margin-top:24px}
button{font:inherit;min-width:108px;padding:6px 14px;border:1px solid transparent;cursor:pointer}
button.primary{background:#0067b8;color:#fff}
button.primary:hover{background:#005da6}
button.secondary{background:#cccccc;color:#1b1b1b}
.error{color:#e81123;margin:8px 0 12px}
.notice{color:#107c10;margin:8px 0 12px}
pre{white-space:pre-wrap;font-size:13px;background:#f3f2f1;padding:8px}
.admin-actions{display:flex;flex-wrap:wrap;gap:12px;margin-top:12px}
.admin-actions form{border:1px solid #edebe9;padding:8px}
.code{font-size:13px;color:#605e5c}
.number{font-size:40px;font-weight:600;text-align:center;margin:12px 0}
.hint{background:#f3f2f1;padding:10px 12px;font-size:13px;margin-top:16px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #edebe9;vertical-align:top}
td form{margin:0}
td button{min-width:0;padding:3px 10px;font-size:13px}
"#;

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// Wraps a page body in the common layout.
pub fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} - {BANNER}</title><style>{STYLE}</style></head>\
         <body><div class=\"banner\" role=\"note\">{BANNER}</div><main>{body}</main></body></html>\n",
        title = escape(title)
    )
}

/// An error the sign-in page shows under its title.
pub struct PageError {
    pub message: String,
    pub code: Option<u32>,
}

fn error_block(error: Option<&PageError>) -> String {
    match error {
        Some(e) => format!(
            "<p class=\"error\" id=\"error\" role=\"alert\">{}{}</p>",
            escape(&e.message),
            e.code
                .map(|c| format!(" <span class=\"code\">(AADSTS{c})</span>"))
                .unwrap_or_default()
        ),
        None => String::new(),
    }
}

/// What the sign-in page needs.
pub struct SignInPage<'a> {
    /// Form target, e.g. `/8d3c.../login`.
    pub action: &'a str,
    pub flow_id: &'a str,
    pub login: &'a str,
    pub error: Option<PageError>,
    /// Shown above the title: what the sign-in is for.
    pub purpose: &'a str,
}

/// The sign-in page: username and password, plus the demo user list.
pub fn sign_in(page: &SignInPage<'_>) -> String {
    let action = escape(page.action);
    let flow = escape(page.flow_id);
    let mut rows = String::new();
    for user in demo::users() {
        rows.push_str(&format!(
            "<tr><td><strong>{name}</strong><br><code>{upn}</code></td><td><code>{password}</code></td>\
             <td>{story}</td><td><form method=\"post\" action=\"{action}\" class=\"demo-fill\">\
             <input type=\"hidden\" name=\"flow\" value=\"{flow}\">\
             <input type=\"hidden\" name=\"login\" value=\"{upn}\">\
             <input type=\"hidden\" name=\"passwd\" value=\"{password}\">\
             <button class=\"secondary\" name=\"action\" value=\"signin\">Use</button></form></td></tr>",
            name = escape(user.display_name),
            upn = escape(user.upn),
            password = escape(user.password),
            story = escape(user.story),
        ));
    }
    let body = format!(
        "<div class=\"card\"><p class=\"tenant\">{tenant}</p><h1>Sign in</h1>\
         <p>{purpose}</p>{error}\
         <form id=\"credentials\" method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"flow\" value=\"{flow}\">\
         <label for=\"login\">Email, phone, or Skype</label>\
         <input type=\"email\" id=\"login\" name=\"login\" value=\"{login}\" autocomplete=\"username\" required>\
         <label for=\"passwd\">Password</label>\
         <input type=\"password\" id=\"passwd\" name=\"passwd\" autocomplete=\"current-password\">\
         <div class=\"actions\">\
         <button class=\"secondary\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button>\
         <button class=\"primary\" name=\"action\" value=\"signin\">Sign in</button></div></form></div>\
         <div class=\"card\"><h1>Use a Temporary Access Pass</h1>\
         <p>Did your helpdesk give you a Temporary Access Pass? Enter it instead of your password and \
         the verification step, then set up your sign-in methods.</p>\
         <form id=\"tap-credentials\" method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"flow\" value=\"{flow}\">\
         <label for=\"tap-login\">Email</label>\
         <input type=\"email\" id=\"tap-login\" name=\"login\" value=\"{login}\" autocomplete=\"username\">\
         <label for=\"tap\">Temporary Access Pass</label>\
         <input type=\"password\" id=\"tap\" name=\"tap\" autocomplete=\"off\">\
         <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"tap\">Sign in</button></div></form></div>\
         <div class=\"card wide\"><h1>Demo accounts</h1>\
         <p>This tenant is a local emulator. These are its only accounts; the passwords are not secret.</p>\
         <table><thead><tr><th>User</th><th>Password</th><th>Story</th><th></th></tr></thead>\
         <tbody>{rows}</tbody></table></div>",
        tenant = escape(demo::TENANT_DISPLAY_NAME),
        purpose = escape(page.purpose),
        error = error_block(page.error.as_ref()),
        login = escape(page.login),
    );
    layout("Sign in to your account", &body)
}

/// What the MFA page needs.
pub struct SecondFactorPage<'a> {
    pub action: &'a str,
    pub flow_id: &'a str,
    pub upn: &'a str,
    pub challenge: &'a SecondFactorChallenge,
    pub error: Option<PageError>,
}

/// The simulated second-factor page for the user's default (or
/// system-preferred) method.
pub fn second_factor(page: &SecondFactorPage<'_>) -> String {
    let cancel = "<button class=\"secondary\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button>";
    let (title, content, buttons) = match page.challenge {
        SecondFactorChallenge::Push { number, device } => (
            "Approve sign-in request".to_string(),
            format!(
                "<p>Open your Authenticator app on {device}, and enter the number shown to sign in.</p>\
                 <p class=\"number\" id=\"match-number\">{number}</p>\
                 <p class=\"hint\">Demo: no phone is involved. Press the button to approve as if on the phone.</p>",
                device = escape(device)
            ),
            format!("{cancel}<button class=\"primary\" name=\"action\" value=\"approve\">Approve on phone (simulated)</button>"),
        ),
        SecondFactorChallenge::TextMessage { masked, code } => (
            "Enter code".to_string(),
            format!(
                "<p>We texted your phone {masked}. Please enter the code to sign in.</p>\
                 <label for=\"otc\">Code</label>\
                 <input type=\"text\" id=\"otc\" name=\"otc\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\">\
                 <p class=\"hint\">Demo: no text message is sent. The code is <strong id=\"demo-code\">{code}</strong>.</p>",
                masked = escape(masked),
                code = escape(code)
            ),
            format!("{cancel}<button class=\"primary\" name=\"action\" value=\"verify\">Verify</button>"),
        ),
        SecondFactorChallenge::VerificationCode { code } => (
            "Enter code".to_string(),
            format!(
                "<p>Enter the code displayed in your authenticator app.</p>\
                 <label for=\"otc\">Code</label>\
                 <input type=\"text\" id=\"otc\" name=\"otc\" inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\">\
                 <p class=\"hint\">Demo: the app would show <strong id=\"demo-code\">{code}</strong>.</p>",
                code = escape(code)
            ),
            format!("{cancel}<button class=\"primary\" name=\"action\" value=\"verify\">Verify</button>"),
        ),
        SecondFactorChallenge::VoiceCall { masked } => (
            "Approve sign-in request".to_string(),
            format!(
                "<p>We're calling your phone {masked}. Please answer it to continue.</p>\
                 <p class=\"hint\">Demo: no call is made.</p>",
                masked = escape(masked)
            ),
            format!("{cancel}<button class=\"primary\" name=\"action\" value=\"approve\">Answer the call (simulated)</button>"),
        ),
        SecondFactorChallenge::SecurityKey { name } => (
            "Use your security key".to_string(),
            format!(
                "<p>Your organisation prefers your passkey for this sign-in. Insert and touch {name}.</p>\
                 <p class=\"hint\">Demo: no key is needed.</p>",
                name = escape(name)
            ),
            format!("{cancel}<button class=\"primary\" name=\"action\" value=\"approve\">Touch security key (simulated)</button>"),
        ),
        SecondFactorChallenge::Unreachable { masked } => (
            "We can't reach your phone".to_string(),
            format!(
                "<p>We need to verify your identity with your phone {masked}, but it can't be reached: \
                 no text message or call gets through.</p>\
                 <p>You have no other way to verify. Contact your helpdesk to get back into your account.</p>",
                masked = escape(masked)
            ),
            "<button class=\"primary\" name=\"action\" value=\"cancel\" formnovalidate>Cancel sign-in</button>".to_string(),
        ),
        SecondFactorChallenge::NoMethod => (
            "More information required".to_string(),
            "<p>Your organisation needs more information to keep your account secure, \
             but this account has no method that can be used for verification.</p>"
                .to_string(),
            "<button class=\"primary\" name=\"action\" value=\"cancel\" formnovalidate>Cancel sign-in</button>".to_string(),
        ),
    };
    let body = format!(
        "<div class=\"card\"><p class=\"tenant\">{upn}</p><h1>{title}</h1>{error}\
         <form id=\"second-factor\" method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"flow\" value=\"{flow}\">{content}\
         <div class=\"actions\">{buttons}</div></form></div>",
        upn = escape(page.upn),
        title = escape(&title),
        error = error_block(page.error.as_ref()),
        action = escape(page.action),
        flow = escape(page.flow_id),
    );
    layout(&title, &body)
}

/// The device-code entry page (`/devicelogin`).
pub fn device_code_entry(error: Option<&str>) -> String {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" id=\"error\" role=\"alert\">{}</p>",
                escape(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<div class=\"card\"><p class=\"tenant\">{tenant}</p><h1>Enter code</h1>\
         <p>Enter the code displayed on your app or device.</p>{error}\
         <form id=\"device-code\" method=\"post\" action=\"/devicelogin\">\
         <label for=\"otc\">Code</label>\
         <input type=\"text\" id=\"otc\" name=\"otc\" autocomplete=\"off\" maxlength=\"16\" required>\
         <div class=\"actions\"><button class=\"primary\" name=\"action\" value=\"next\">Next</button></div>\
         </form></div>",
        tenant = escape(demo::TENANT_DISPLAY_NAME),
    );
    layout("Enter code", &body)
}

/// The page after a device-code sign-in.
pub fn device_code_done(app_name: &str) -> String {
    let body = format!(
        "<div class=\"card\"><h1>{app}</h1><p id=\"outcome\">You have signed in to the {app} application on your device. \
         You may now close this window.</p></div>",
        app = escape(app_name)
    );
    layout(app_name, &body)
}

/// The page after a cancelled device-code sign-in.
pub fn device_code_declined(app_name: &str) -> String {
    let body = format!(
        "<div class=\"card\"><h1>{app}</h1><p id=\"outcome\">You cancelled the sign-in to {app} on your device. \
         You may now close this window.</p></div>",
        app = escape(app_name)
    );
    layout(app_name, &body)
}

/// An error page that does not redirect anywhere.
pub fn error_page(title: &str, message: &str, code: Option<u32>) -> String {
    let code = code
        .map(|c| format!("<p class=\"code\" id=\"error-code\">AADSTS{c}</p>"))
        .unwrap_or_default();
    let body = format!(
        "<div class=\"card\"><p class=\"tenant\">{tenant}</p><h1>{title}</h1>\
         <p class=\"error\" id=\"error\">{message}</p>{code}</div>",
        tenant = escape(demo::TENANT_DISPLAY_NAME),
        title = escape(title),
        message = escape(message),
    );
    layout(title, &body)
}

/// The emulator's home page: where everything is.
pub fn home(base: &str) -> String {
    let tenant = demo::TENANT_ID;
    let rows = [
        ("Authority", format!("{base}{tenant}")),
        (
            "OpenID configuration",
            format!("{base}{tenant}/v2.0/.well-known/openid-configuration"),
        ),
        ("Graph v1.0", format!("{base}v1.0")),
        ("Graph beta", format!("{base}beta")),
        ("Device login", format!("{base}devicelogin")),
        ("Tenant id", tenant.to_string()),
        ("Client id", demo::CLIENT_ID.to_string()),
    ]
    .iter()
    .map(|(k, v)| {
        format!(
            "<tr><th>{}</th><td><code>{}</code></td></tr>",
            escape(k),
            escape(v)
        )
    })
    .collect::<String>();
    let body = format!(
        "<div class=\"card wide\"><p class=\"tenant\">{name}</p><h1>Tenant emulator</h1>\
         <p>A local stand-in for the parts of Microsoft Entra ID and Microsoft Graph that MFA Assistant uses.</p>\
         <table>{rows}</table></div>",
        name = escape(demo::TENANT_DISPLAY_NAME)
    );
    layout("Tenant emulator", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_the_banner_and_escapes_input() {
        let pages = [
            sign_in(&SignInPage {
                action: "/t/login",
                flow_id: "f",
                login: "<script>alert(1)</script>",
                error: Some(PageError {
                    message: "Your account or password is incorrect.".into(),
                    code: Some(50126),
                }),
                purpose: "x",
            }),
            second_factor(&SecondFactorPage {
                action: "/t/mfa",
                flow_id: "f",
                upn: "a\"b",
                challenge: &SecondFactorChallenge::Unreachable {
                    masked: "+X".into(),
                },
                error: None,
            }),
            device_code_entry(Some("bad & wrong")),
            device_code_done("App"),
            device_code_declined("App"),
            error_page("t", "m", Some(50011)),
            home("http://127.0.0.1:1/"),
        ];
        for page in &pages {
            assert!(page.contains(BANNER));
            assert!(!page.contains("<script>"));
            assert!(!page.contains("http://fonts") && !page.contains("<link"));
        }
        assert!(pages[0].contains("AADSTS50126"));
        assert!(pages[0].contains("&lt;script&gt;"));
        assert!(pages[1].contains("Cancel sign-in") && !pages[1].contains("value=\"approve\""));
        assert!(pages[2].contains("bad &amp; wrong"));
    }
}
