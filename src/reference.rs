//! The reference syntax: `vnet/aks-vnet/default`, `cluster/platform:kubelet`,
//! `cluster/platform:namespace/team-a`, `subscription`, or a raw ARM ID.

use crate::model::{Kind, Kind::*};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed<'a> {
    Subscription,
    ArmId(&'a str),
    Path {
        kind: Kind,
        name: &'a str,
        child: Option<&'a str>,
        /// After `:`, e.g. `kubelet` or `namespace/team-a`.
        facet: Option<&'a str>,
    },
}

pub fn parse(text: &str) -> Result<Parsed<'_>, String> {
    let text = text.trim();
    if text == "subscription" {
        return Ok(Parsed::Subscription);
    }
    if text.starts_with('/') {
        return if text.to_ascii_lowercase().starts_with("/subscriptions/") {
            Ok(Parsed::ArmId(text))
        } else {
            Err(format!(
                "`{text}` is not an ARM ID (they start with `/subscriptions/`)"
            ))
        };
    }
    let (path, facet) = match text.split_once(':') {
        Some((path, facet)) => (path, Some(facet)),
        None => (text, None),
    };
    let mut parts = path.splitn(3, '/');
    let prefix = parts.next().unwrap_or("");
    let Some(kind) = Kind::from_prefix(prefix) else {
        let hint = crate::diag::did_you_mean(prefix, Kind::prefixes())
            .map(|k| format!("; did you mean `{k}/`?"))
            .unwrap_or_default();
        return Err(format!(
            "`{text}` does not start with a kind such as `vnet/` or `cluster/`{hint}"
        ));
    };
    let name = parts
        .next()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("`{text}` names no resource after `{prefix}/`"))?;
    let child = parts.next();
    if let Some(child) = child
        && (child.is_empty() || child.contains('/') || (kind.child().is_none() && kind != Existing))
    {
        return Err(format!(
            "`{text}` has too many `/` parts for a {}",
            kind.noun()
        ));
    }
    let child_kind = match child {
        Some(_) => kind.child().unwrap_or(kind),
        None => kind,
    };
    Ok(Parsed::Path {
        kind: child_kind,
        name,
        child,
        facet,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(parse("subscription"), Ok(Parsed::Subscription));
        assert_eq!(
            parse("vnet/aks/default"),
            Ok(Parsed::Path {
                kind: Subnet,
                name: "aks",
                child: Some("default"),
                facet: None
            })
        );
        assert_eq!(
            parse("cluster/platform:namespace/team-a"),
            Ok(Parsed::Path {
                kind: Cluster,
                name: "platform",
                child: None,
                facet: Some("namespace/team-a")
            })
        );
        assert!(matches!(
            parse("/subscriptions/x/resourceGroups/y"),
            Ok(Parsed::ArmId(_))
        ));
        assert!(
            parse("vnets/aks")
                .unwrap_err()
                .contains("did you mean `vnet/`")
        );
        assert!(parse("registry/a/b").is_err());
        assert!(parse("cluster/").is_err());
    }
}
