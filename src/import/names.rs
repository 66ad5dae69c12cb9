//! Keys for imported resources. A key names a resource inside the stack, and two things azplan
//! derives from keys must come out as they were when the stack made them: a role assignment's
//! GUID (UUIDv5 of scope, role and the principal's address) and its ownership mark
//! (`azplan-stack:STACK roleAssignment/KEY`). Keys are recovered from those marks where a stack
//! left them; otherwise a resource's key is its Azure name.

/// azplan's namespace for role-assignment names (`kinds::role_assignment`; a unit test checks
/// that both compute the same names).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6a7a_706c_616e_4000_8000_726f_6c65_7321);

/// The name azplan gives a role assignment of `role_guid` at `scope_id` for `principal` (an
/// address such as `identity/x` or `cluster/c:kubelet`, or a lower-cased object ID).
pub fn role_assignment_name(scope_id: &str, role_guid: &str, principal: &str) -> String {
    let key = format!(
        "{}|{}|{principal}",
        scope_id.to_ascii_lowercase(),
        role_guid.to_ascii_lowercase()
    );
    uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

/// Keys a resource of this Azure name may have had: the name, and every run of its
/// `-`-separated words (`id-external-dns-weu` → `external-dns`, `external`, …), longest first.
pub fn candidates(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split('-').collect();
    let mut out = vec![name.to_string()];
    for len in (1..words.len()).rev() {
        for start in 0..=words.len() - len {
            let candidate = words[start..start + len].join("-");
            if !candidate.is_empty() && !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    out
}

/// The stack and address of an ownership mark: `azplan-stack:STACK roleAssignment/KEY[: text]`
/// → (stack, key, text).
pub fn ownership_mark(description: &str) -> Option<(String, String, Option<String>)> {
    let rest = description.strip_prefix(crate::kinds::OWNER_PREFIX)?;
    let (stack, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix("roleAssignment/")?;
    let (key, text) = match rest.split_once(": ") {
        Some((key, text)) => (key, Some(text.to_string())),
        None => (rest, None),
    };
    Some((stack.to_string(), key.trim().to_string(), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_ones_azplan_derives() {
        let spec = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\nresourceGroup: g\nresourceGroups: {g: {}}\nidentities: {app: {}}\nroleAssignments:\n  r:\n    role: AcrPull\n    scope: rg/g\n    principal: identity/app\n";
        let checked = crate::check::check_str("s.yaml", spec, &crate::load::LoadOptions::default());
        let stack = checked.stack.expect("valid");
        let live = crate::live::LiveState::default();
        let ctx = crate::kinds::Context {
            stack: &stack,
            live: &live,
        };
        let address = crate::model::Address::new(crate::model::Kind::RoleAssignment, "r");
        let id = ctx.id(&address);
        let expected = role_assignment_name(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/g",
            crate::roles::resolve("AcrPull").unwrap().guid.as_str(),
            "identity/app",
        );
        assert!(id.ends_with(&expected), "{id} vs {expected}");
    }

    #[test]
    fn marks_and_candidates() {
        assert_eq!(
            ownership_mark("azplan-stack:platform roleAssignment/x: why: because"),
            Some(("platform".into(), "x".into(), Some("why: because".into())))
        );
        assert_eq!(
            ownership_mark("azplan-stack:p roleAssignment/y"),
            Some(("p".into(), "y".into(), None))
        );
        assert!(candidates("id-external-dns-weu").contains(&"external-dns".to_string()));
    }
}
