//! Memory of a process tree: PSS from `/proc/<pid>/smaps_rollup`, summed
//! over the process and every descendant (found through the parent pid in
//! `/proc/<pid>/stat`), so WebKit's web and network processes count.

use serde::Serialize;

/// The `Pss:` line of `smaps_rollup`, in kB.
pub fn parse_pss_kb(smaps_rollup: &str) -> Option<u64> {
    smaps_rollup.lines().find_map(|line| {
        let rest = line.strip_prefix("Pss:")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// `(pid, command name, parent pid)` from `/proc/<pid>/stat`. The name is in
/// parentheses and may itself contain spaces and parentheses.
pub fn parse_stat(stat: &str) -> Option<(i32, String, i32)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let pid = stat[..open].trim().parse().ok()?;
    let comm = stat.get(open + 1..close)?.to_owned();
    let mut rest = stat.get(close + 1..)?.split_whitespace();
    let _state = rest.next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((pid, comm, ppid))
}

/// `(Rss, Private_Clean + Private_Dirty)` of `smaps_rollup`, in kB: the
/// private part (USS) does not depend on what else maps the same libraries.
pub fn parse_rss_uss_kb(smaps_rollup: &str) -> (u64, u64) {
    let field = |name: &str| {
        smaps_rollup
            .lines()
            .find_map(|line| {
                let rest = line.strip_prefix(name)?.strip_prefix(':')?;
                rest.split_whitespace().next()?.parse::<u64>().ok()
            })
            .unwrap_or(0)
    };
    (
        field("Rss"),
        field("Private_Clean") + field("Private_Dirty"),
    )
}

/// `root` and all its descendants in a `(pid, parent pid)` table, root first.
pub fn descendants(root: i32, table: &[(i32, i32)]) -> Vec<i32> {
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        for &(pid, ppid) in table {
            if ppid == parent && !found.contains(&pid) {
                found.push(pid);
            }
        }
        i += 1;
    }
    found
}

/// One process's share of a sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcessPss {
    pub pid: i32,
    pub name: String,
    pub pss_kb: u64,
    pub rss_kb: u64,
    pub uss_kb: u64,
}

/// The live process table: `(pid, name, parent pid)`.
pub fn process_table() -> Vec<(i32, String, i32)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let name = e.ok()?.file_name();
        let pid: i32 = name.to_str()?.parse().ok()?;
        parse_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
    })
    .collect()
}

/// The live tree under `root`, with names.
pub fn tree(root: i32) -> Vec<(i32, String)> {
    let table = process_table();
    let pairs: Vec<(i32, i32)> = table.iter().map(|(p, _, pp)| (*p, *pp)).collect();
    descendants(root, &pairs)
        .into_iter()
        .map(|pid| {
            let name = table
                .iter()
                .find(|(p, _, _)| *p == pid)
                .map(|(_, n, _)| n.clone())
                .unwrap_or_default();
            (pid, name)
        })
        .collect()
}

/// PSS of every process in the tree under `root` (processes that vanish
/// while being read are skipped).
pub fn tree_pss(root: i32) -> Vec<ProcessPss> {
    tree(root)
        .into_iter()
        .filter_map(|(pid, name)| {
            let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
            let (rss_kb, uss_kb) = parse_rss_uss_kb(&text);
            Some(ProcessPss {
                pid,
                name,
                pss_kb: parse_pss_kb(&text)?,
                rss_kb,
                uss_kb,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLLUP: &str = "\
55d0c0a4e000-7ffd2b3fe000 ---p 00000000 00:00 0                          [rollup]
Rss:              143320 kB
Pss:               98765 kB
Pss_Dirty:         60000 kB
Pss_Anon:          50000 kB
Pss_File:          48765 kB
Shared_Clean:      50000 kB
Private_Clean:      1000 kB
Private_Dirty:     40000 kB
";

    #[test]
    fn pss_is_the_pss_line_not_its_breakdown() {
        assert_eq!(parse_pss_kb(ROLLUP), Some(98765));
        assert_eq!(parse_pss_kb("Rss: 1 kB\n"), None);
        assert_eq!(parse_rss_uss_kb(ROLLUP), (143320, 41000));
    }

    #[test]
    fn stat_with_spaces_and_parentheses_in_the_name() {
        let stat = "4242 (WebKitWebProcess) S 4200 4200 4100 0 -1 4194560 1 0";
        assert_eq!(
            parse_stat(stat),
            Some((4242, "WebKitWebProcess".to_owned(), 4200))
        );
        let odd = "77 (a (weird) name) R 1 77 77 0";
        assert_eq!(parse_stat(odd), Some((77, "a (weird) name".to_owned(), 1)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn the_tree_includes_grandchildren_and_nothing_else() {
        // 100 the app; 101 web process; 102 network process; 103 a child of
        // the web process; 200 an unrelated process; 201 its child.
        let table = [
            (1, 0),
            (100, 1),
            (101, 100),
            (102, 100),
            (103, 101),
            (200, 1),
            (201, 200),
        ];
        let mut tree = descendants(100, &table);
        assert_eq!(tree[0], 100);
        tree.sort();
        assert_eq!(tree, vec![100, 101, 102, 103]);
        assert_eq!(descendants(999, &table), vec![999]);
    }
}
