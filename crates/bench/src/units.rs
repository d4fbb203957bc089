//! How sizes appear in row names: [`human_bytes`] prints `4 KiB`, `256 MiB`, `17 B`, the
//! same labels the Python reference is handed so its rows line up with ours.

/// `n` bytes in the largest unit that divides it exactly: `4 KiB`, `256 MiB`, `17 B`.
pub fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
        n if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_print_in_their_unit() {
        assert_eq!(human_bytes(4096), "4 KiB");
        assert_eq!(human_bytes(256 << 20), "256 MiB");
        assert_eq!(human_bytes(1000), "1000 B");
    }
}
