//! ARM failures, named by resource and operation, with ARM's own code and message.

use serde_json::Value;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ArmError {
    #[error("{operation} {resource}: ARM answered {status} {code}: {message}")]
    #[diagnostic(code(azplan::arm::error))]
    Service {
        operation: String,
        resource: String,
        status: u16,
        code: String,
        message: String,
        #[help]
        help: Option<String>,
    },
    #[error("{operation} {resource}: {message}")]
    #[diagnostic(
        code(azplan::arm::transport),
        help("check the endpoint and your network; azplan retried before giving up")
    )]
    Transport {
        operation: String,
        resource: String,
        message: String,
    },
    #[error("{operation} {resource}: the response is not ARM JSON: {message}")]
    #[diagnostic(code(azplan::arm::response))]
    Response {
        operation: String,
        resource: String,
        message: String,
    },
    #[error("{resource}: {message}")]
    #[diagnostic(
        code(azplan::arm::unresolved),
        help("the dependency exists but Azure has not filled in the value; apply again later")
    )]
    Unresolved { resource: String, message: String },
    #[error("no Azure credential found: {tried}")]
    #[diagnostic(
        code(azplan::arm::no_credential),
        help(
            "log in with `az login`, set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET (or AZURE_FEDERATED_TOKEN_FILE), or try the built-in emulator with `--local`"
        )
    )]
    NoCredential { tried: String },
    #[error("credential {credential}: {message}")]
    #[diagnostic(code(azplan::arm::sign_in))]
    Credential {
        credential: &'static str,
        message: String,
    },
    #[error("{0}")]
    #[diagnostic(code(azplan::arm::setup))]
    Setup(String),
}

/// `code` and `message` from any of the error shapes ARM services use: `{error: {code,
/// message}}`, flat `{code, message}`, LRO `{status, error: {...}}` and `{error: {message}}`.
pub fn parse_error_body(body: &[u8]) -> (String, String) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        let text = String::from_utf8_lossy(body)
            .trim()
            .chars()
            .take(300)
            .collect::<String>();
        return (
            "UnknownError".into(),
            if text.is_empty() {
                "no error body".into()
            } else {
                text
            },
        );
    };
    let error = value.get("error").unwrap_or(&value);
    let code = error
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or("UnknownError")
        .to_string();
    let mut message = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message")
        .to_string();
    if let Some(details) = error.get("details").and_then(Value::as_array) {
        for detail in details.iter().take(3) {
            if let (Some(c), Some(m)) = (
                detail.get("code").and_then(Value::as_str),
                detail.get("message").and_then(Value::as_str),
            ) {
                message.push_str(&format!(" [{c}: {m}]"));
            }
        }
    }
    (code, message)
}

/// Extra advice for codes users hit often.
pub fn help_for(code: &str) -> Option<String> {
    Some(match code {
        "AuthorizationFailed" => "the signed-in principal lacks permission; grant it a role on the scope (Reader to plan, Contributor/Owner to apply)".into(),
        "InvalidAuthenticationToken" | "ExpiredAuthenticationToken" => "log in again (`az login`) or refresh the credential".into(),
        "SubscriptionNotFound" => "check `subscription:` in the stack and that your account can see it".into(),
        "MissingSubscriptionRegistration" => "register the resource provider: `az provider register --namespace <namespace>`".into(),
        "InvalidApiVersionParameter" => "the endpoint does not serve this api-version; is it an older cloud or emulator?".into(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_shape_yields_code_and_message() {
        let shapes: [&[u8]; 4] = [
            br#"{"error":{"code":"ResourceGroupNotFound","message":"Resource group 'rg' could not be found."}}"#,
            br#"{"code":"BadRequest","message":"Agent pool 'np' is not in 'Machines' mode."}"#,
            br#"{"id":"x","status":"Failed","error":{"code":"Conflict","message":"busy"}}"#,
            br#"{"status":"Failed","error":{"message":"no code"}}"#,
        ];
        let parsed: Vec<_> = shapes.iter().map(|b| parse_error_body(b)).collect();
        assert_eq!(parsed[0].0, "ResourceGroupNotFound");
        assert_eq!(
            parsed[1],
            (
                "BadRequest".into(),
                "Agent pool 'np' is not in 'Machines' mode.".into()
            )
        );
        assert_eq!(parsed[2].0, "Conflict");
        assert_eq!(parsed[3], ("UnknownError".into(), "no code".into()));
    }
}
