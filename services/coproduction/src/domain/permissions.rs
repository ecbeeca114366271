//! Permission resolution (DOMAIN.md): process administrators may do
//! everything; anyone else gets what the grants of their teams say at the
//! most specific level (task, objective, phase, process) that has any of
//! them; grants at one level add up.

/// What a grant allows on assets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Perms {
    /// See the assets.
    pub access: bool,
    /// Add assets (and move the status of tasks).
    pub create: bool,
    /// Remove assets.
    pub delete: bool,
}

impl Perms {
    /// Everything.
    pub const ALL: Perms = Perms {
        access: true,
        create: true,
        delete: true,
    };

    /// Whether it allows nothing.
    pub fn is_empty(self) -> bool {
        !(self.access || self.create || self.delete)
    }

    /// Both together.
    pub fn or(self, other: Perms) -> Perms {
        Perms {
            access: self.access || other.access,
            create: self.create || other.create,
            delete: self.delete || other.delete,
        }
    }
}

/// The permissions of a user: `administrator` of the process, or the
/// grants of their teams per level, the most specific level first (e.g.
/// task, objective, phase, process).
pub fn resolve(administrator: bool, levels: &[Vec<Perms>]) -> Perms {
    if administrator {
        return Perms::ALL;
    }
    levels
        .iter()
        .find(|grants| !grants.is_empty())
        .map(|grants| grants.iter().fold(Perms::default(), |all, g| all.or(*g)))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Perms = Perms {
        access: true,
        create: false,
        delete: false,
    };
    const C: Perms = Perms {
        access: false,
        create: true,
        delete: false,
    };
    const D: Perms = Perms {
        access: false,
        create: false,
        delete: true,
    };

    #[test]
    fn the_most_specific_level_with_grants_decides() {
        let none = Perms::default();
        // (administrator, [task, objective, phase, process]) → expected
        let table: Vec<(bool, [Vec<Perms>; 4], Perms)> = vec![
            (true, [vec![], vec![], vec![], vec![]], Perms::ALL),
            (false, [vec![], vec![], vec![], vec![]], none),
            (false, [vec![], vec![], vec![], vec![A]], A),
            // A phase grant overrides a wider process grant.
            (false, [vec![], vec![], vec![C], vec![Perms::ALL]], C),
            // A task grant overrides everything above it.
            (false, [vec![A], vec![D], vec![C], vec![Perms::ALL]], A),
            // Two teams at one level: OR.
            (false, [vec![], vec![A, D], vec![C], vec![]], A.or(D)),
            (false, [vec![], vec![], vec![A, C, D], vec![]], Perms::ALL),
            // Administrators whatever the grants say.
            (true, [vec![A], vec![], vec![], vec![]], Perms::ALL),
        ];
        for (administrator, levels, expected) in table {
            assert_eq!(resolve(administrator, &levels), expected, "{levels:?}");
        }
    }
}
