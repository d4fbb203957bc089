//! "Did you mean": the known fullName nearest to a mistyped one, by edit distance, for
//! the messages of unknown Types and undeclared elements.

/// Edits (insert, delete, substitute, or swap two neighbours) that turn `a` into `b`,
/// counted in characters: the optimal-string-alignment distance.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // rows[i][j]: distance between a[..i] and b[..j]; three rows are enough.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate nearest to `name` when it is close enough to be a typo of it: at most a
/// third of the length of `name`'s last segment in edits (at least one). Ties go to the
/// alphabetically first.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let last_segment = name.rsplit('.').next().unwrap_or(name);
    let limit = (last_segment.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (edit_distance(name, c), c))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, c)| c)
}

/// `; did you mean "storages.OssType"?` for the nearest candidate, or nothing.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    nearest(name, candidates)
        .map(|c| format!("; did you mean {c:?}?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("", "ab"), 2);
        assert_eq!(edit_distance("OssTyp", "OssType"), 1);
        assert_eq!(edit_distance("Defualt", "Default"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("Mëta", "Meta"), 1);
    }

    #[test]
    fn nearest_suggests_only_plausible_typos() {
        let known = ["storages.OssType", "storages.DiskType", "storages.Meta"];
        assert_eq!(nearest("storages.OssTyp", known), Some("storages.OssType"));
        assert_eq!(
            nearest("storages.disktype", known),
            Some("storages.DiskType")
        );
        assert_eq!(
            nearest("storages.DiskTyep", known),
            Some("storages.DiskType")
        );
        assert_eq!(nearest("storages.Mta", known), Some("storages.Meta"));
        assert_eq!(nearest("storages.Nope", known), None);
        assert_eq!(nearest("caches.OssType", known), None);
        assert_eq!(
            did_you_mean("storages.OssTyp", known),
            "; did you mean \"storages.OssType\"?"
        );
        assert_eq!(did_you_mean("storages.Nope", known), "");
    }
}
