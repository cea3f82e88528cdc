//! "Did you mean": the valid name closest to a misspelt one.

/// ` (did you mean `x`?)` for the name in `valid` (a `, `-separated list) closest to
/// `given`, or an empty string when none is close (Jaro-Winkler similarity ≥ 0.8).
pub(crate) fn did_you_mean(given: &str, valid: &str) -> String {
    // Case aside: `BOUNDED_DELAY` is `bounded_delay` mistyped, not a far name.
    let lower = given.to_lowercase();
    valid
        .split(", ")
        .map(|candidate| {
            (
                strsim::jaro_winkler(&lower, &candidate.to_lowercase()),
                candidate,
            )
        })
        .filter(|(similarity, candidate)| *similarity >= 0.8 && *candidate != given)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| format!(" (did you mean `{candidate}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn a_close_name_is_suggested_and_a_far_one_is_not() {
        let valid = "fenced_lease_lock, primary_backup, two_phase_commit";
        assert_eq!(
            did_you_mean("fenced_lease_lok", valid),
            " (did you mean `fenced_lease_lock`?)"
        );
        assert_eq!(
            did_you_mean("two_phase", valid),
            " (did you mean `two_phase_commit`?)"
        );
        assert_eq!(did_you_mean("zzz", valid), "");
        assert_eq!(
            did_you_mean("PRIMARY_BACKUP", valid),
            " (did you mean `primary_backup`?)"
        );
    }
}
