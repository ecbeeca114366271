//! The community's rules: what a valid profile and organisation are, and who
//! may do what. Free of transport and storage.

/// The type of a team, which is also the actor kind the KPIs count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamType {
    /// Citizens.
    Citizen,
    /// A public administration.
    PublicAdministration,
    /// An association or other non-profit body.
    NonprofitOrganization,
    /// A company.
    ForprofitOrganization,
}

impl TeamType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TeamType::Citizen => "citizen",
            TeamType::PublicAdministration => "public_administration",
            TeamType::NonprofitOrganization => "nonprofit_organization",
            TeamType::ForprofitOrganization => "forprofit_organization",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            TeamType::Citizen,
            TeamType::PublicAdministration,
            TeamType::NonprofitOrganization,
            TeamType::ForprofitOrganization,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// Who may create teams in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamCreationPolicy {
    /// Its administrators.
    Administrators,
    /// Its administrators and its teams' members.
    Members,
    /// Any authenticated user.
    Anyone,
}

impl TeamCreationPolicy {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TeamCreationPolicy::Administrators => "administrators",
            TeamCreationPolicy::Members => "members",
            TeamCreationPolicy::Anyone => "anyone",
        }
    }

    /// From the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            TeamCreationPolicy::Administrators,
            TeamCreationPolicy::Members,
            TeamCreationPolicy::Anyone,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// Limits of the fields.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest description, per language.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
/// Most additional e-mail addresses per user.
pub const MAX_ADDITIONAL_EMAILS: usize = 10;

/// Checks a display name: present, not blank, not too long.
pub fn check_name(field: &str, value: &str, out: &mut Vec<Violation>) {
    interlink_runtime::validation::check_line(field, value, true, MAX_NAME_CHARS, out);
}

pub use interlink_runtime::text::is_language_tag;
pub use interlink_runtime::validation::{
    MAX_LANGUAGES, MAX_URL_CHARS, Violation, check_translatable, check_url,
};

/// Whether `value` is a plausible e-mail address: printable ASCII, one
/// `@`, a dotted domain, RFC 5321 lengths (the OpenAPI document states the
/// same as a pattern).
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && value.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Checks a list of additional e-mail addresses.
pub fn check_emails(field: &str, values: &[String], out: &mut Vec<Violation>) {
    if values.len() > MAX_ADDITIONAL_EMAILS {
        out.push(Violation::new(
            field,
            format!("has more than {MAX_ADDITIONAL_EMAILS} addresses"),
        ));
    }
    for (i, email) in values.iter().enumerate() {
        if !is_email(email) {
            out.push(Violation::new(
                format!("{field}[{i}]"),
                "is not an e-mail address",
            ));
        } else if values[..i].iter().any(|e| e.eq_ignore_ascii_case(email)) {
            out.push(Violation::new(format!("{field}[{i}]"), "is listed twice"));
        }
    }
}

/// Checks a locale (a language tag).
pub fn check_locale(field: &str, value: &str, out: &mut Vec<Violation>) {
    if !is_language_tag(value) {
        out.push(Violation::new(
            field,
            "is not a language tag such as en, es, it or lv",
        ));
    }
}

/// How the caller relates to an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The organisation is public.
    pub public: bool,
    /// The caller belongs to one of its teams.
    pub member: bool,
    /// The caller administers it.
    pub administrator: bool,
    /// The caller is a platform administrator.
    pub platform_admin: bool,
}

/// What the caller may do with an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Not even know it exists (answer NOT_FOUND).
    Hidden,
    /// Read it.
    Read,
    /// Read and manage it.
    Manage,
}

impl Standing {
    /// The caller's access.
    pub fn access(self) -> Access {
        if self.administrator || self.platform_admin {
            Access::Manage
        } else if self.public || self.member {
            Access::Read
        } else {
            Access::Hidden
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("ana@zaragoza.es"));
        assert!(is_email("a.b+c@sub.example.lv"));
        for bad in [
            "", "ana", "ana@", "@x.es", "ana@es", "a b@x.es", "a@@x.es", "a@x.es.", "a@.x.es",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn access_follows_visibility_and_roles() {
        let s = |public, member, administrator, platform_admin| Standing {
            public,
            member,
            administrator,
            platform_admin,
        };
        assert_eq!(s(false, false, false, false).access(), Access::Hidden);
        assert_eq!(s(true, false, false, false).access(), Access::Read);
        assert_eq!(s(false, true, false, false).access(), Access::Read);
        assert_eq!(s(false, false, true, false).access(), Access::Manage);
        assert_eq!(s(false, false, false, true).access(), Access::Manage);
    }
}

/// Whether a caller with `access` to an organisation, who is or is not a
/// member of one of its teams, may create a team there under `policy`.
pub fn may_create_team(policy: TeamCreationPolicy, access: Access, member: bool) -> bool {
    match policy {
        TeamCreationPolicy::Administrators => access == Access::Manage,
        TeamCreationPolicy::Members => access == Access::Manage || member,
        TeamCreationPolicy::Anyone => access != Access::Hidden,
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    #[test]
    fn team_creation_follows_the_policy() {
        use Access::*;
        use TeamCreationPolicy::*;
        assert!(may_create_team(Administrators, Manage, false));
        assert!(!may_create_team(Administrators, Read, true));
        assert!(may_create_team(Members, Read, true));
        assert!(!may_create_team(Members, Read, false));
        assert!(may_create_team(Anyone, Read, false));
        assert!(!may_create_team(Anyone, Hidden, false));
    }
}
