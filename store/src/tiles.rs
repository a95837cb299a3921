//! The log in the C2SP tlog-tiles layout: the same tree the proofs come from, served as
//! immutable tiles that any C2SP client, witness or monitor can follow without our code.
//!
//! * `tile/<L>/<N>[.p/<W>]`: hash tiles of height 8 (256 hashes of tree level 8·L, nodes
//!   `N·256 …`; a partial tile has only its first `W`), read from the stored hashes;
//! * `tile/entries/<N>[.p/<W>]`: the log's entries, each an event hash (32 bytes) after its
//!   big-endian uint16 length; the leaf of an entry is SHA-256(0x00 ‖ entry), as RFC 6962
//!   and the ledger's Merkle tree have it;
//! * `N` is written in groups of three digits, all but the last prefixed with `x`
//!   (`1234067` → `x001/x234/067`).

use ledger_format::merkle::{Hash, HashReader};
use tlog_tiles::tile::Tile;

use crate::proofs::{ProofError, Proofs};
use crate::{with_pool, Db};

/// The tile height: 2^8 = 256 hashes or entries a full tile.
pub const HEIGHT: u8 = 8;
/// Entries or hashes in a full tile.
pub const WIDTH: u64 = 1 << HEIGHT;

/// Which tile: a hash tile of a level, or an entries tile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileKind {
    Hashes { level: u8 },
    Entries,
}

impl TileKind {
    /// How many hashes (of the level) or entries a tree of `tree_size` has.
    fn nodes(self, tree_size: u64) -> u64 {
        match self {
            TileKind::Hashes { level } => tree_size.checked_shr(u32::from(HEIGHT) * u32::from(level)).unwrap_or(0),
            TileKind::Entries => tree_size,
        }
    }
}

/// A tile's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRef {
    pub kind: TileKind,
    pub index: u64,
    /// 1 to 256; 256 is a full tile.
    pub width: u64,
}

impl TileRef {
    /// Its path under the log's prefix, e.g. `tile/0/x001/234.p/17`.
    pub fn path(&self) -> String {
        let mut n = self.index;
        let mut digits = format!("{:03}", n % 1000);
        while n >= 1000 {
            n /= 1000;
            digits = format!("x{:03}/{digits}", n % 1000);
        }
        let kind = match self.kind {
            TileKind::Hashes { level } => level.to_string(),
            TileKind::Entries => "entries".to_string(),
        };
        let partial = if self.width == WIDTH { String::new() } else { format!(".p/{}", self.width) };
        format!("tile/{kind}/{digits}{partial}")
    }

    /// Reads a path after `tile/` (`0/x001/234.p/17`, `entries/000`); `None` if it is not
    /// one.
    pub fn parse(path: &str) -> Option<Self> {
        let (kind, rest) = path.split_once('/')?;
        let kind = match kind {
            "entries" => TileKind::Entries,
            level => TileKind::Hashes { level: level.parse().ok().filter(|l: &u8| *l < 8)? },
        };
        let (digits, width) = match rest.split_once(".p/") {
            Some((digits, width)) => {
                let width: u64 = width.parse().ok().filter(|w| (1..WIDTH).contains(w))?;
                (digits, width)
            }
            None => (rest, WIDTH),
        };
        let groups: Vec<&str> = digits.split('/').collect();
        let mut index: u64 = 0;
        for (i, group) in groups.iter().enumerate() {
            let last = i + 1 == groups.len();
            let number = if last { *group } else { group.strip_prefix('x')? };
            if number.len() != 3 || !number.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            index = index.checked_mul(1000)?.checked_add(number.parse().ok()?)?;
        }
        let tile = TileRef { kind, index, width };
        (tile.path() == format!("tile/{path}")).then_some(tile)
    }

    /// How many hashes (or entries) of this tile's row a tree of `tree_size` has, if any.
    fn available(&self, tree_size: u64) -> u64 {
        self.kind.nodes(tree_size).saturating_sub(self.index.saturating_mul(WIDTH)).min(WIDTH)
    }

    /// Every tile of a tree of `tree_size`: full ones and the partial tile closing each row.
    pub fn all(tree_size: u64) -> Vec<TileRef> {
        let mut tiles = Vec::new();
        let rows = (0..8u8).map(|level| TileKind::Hashes { level }).chain([TileKind::Entries]);
        for kind in rows {
            let nodes = kind.nodes(tree_size);
            let mut index = 0;
            while index * WIDTH < nodes {
                let width = (nodes - index * WIDTH).min(WIDTH);
                tiles.push(TileRef { kind, index, width });
                index += 1;
            }
        }
        tiles
    }
}

/// Answers a hash tile's reads from hashes fetched beforehand.
struct Known(Vec<Hash>);

impl HashReader for Known {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::tlog::Error> {
        if indexes.len() == self.0.len() {
            Ok(self.0.clone())
        } else {
            Err(tlog_tiles::tlog::Error::IndexesNotInTree)
        }
    }
}

/// Collects the indexes a tile reads.
#[derive(Default)]
struct Wanted(std::cell::RefCell<Vec<u64>>);

impl HashReader for Wanted {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::tlog::Error> {
        self.0.borrow_mut().extend_from_slice(indexes);
        Ok(vec![Hash([0; 32]); indexes.len()])
    }
}

/// The bytes of `tile` in the tree of `tree_size`, or `None` when that tree does not have
/// it (yet).
pub async fn read(db: &Db, tile: TileRef, tree_size: u64) -> Result<Option<Vec<u8>>, ProofError> {
    if tile.width > tile.available(tree_size) {
        return Ok(None);
    }
    match tile.kind {
        TileKind::Hashes { level } => {
            let width = u32::try_from(tile.width).unwrap_or(u32::MAX);
            let t = Tile::new(HEIGHT, level, tile.index, width, false);
            let wanted = Wanted::default();
            let _ = t.read_data(&wanted);
            let indexes = wanted.0.take();
            let fetched = Proofs::new(db.clone()).hashes(&indexes).await?;
            let data = t.read_data(&Known(fetched)).map_err(|e| ProofError::OutOfRange(format!("tile: {e:?}")))?;
            Ok(Some(data))
        }
        TileKind::Entries => {
            let start = i64::try_from(tile.index * WIDTH).unwrap_or(i64::MAX);
            let end = start.saturating_add(i64::try_from(tile.width).unwrap_or(0));
            let hashes: Vec<String> = with_pool!(db, pool => {
                sqlx::query_scalar("SELECT event_hash FROM positions WHERE position >= $1 AND position < $2 ORDER BY position")
                    .bind(start)
                    .bind(end)
                    .fetch_all(pool)
                    .await?
            });
            let mut data = Vec::with_capacity(hashes.len() * 34);
            for hash in hashes {
                let bytes = ledger_format::record::parse_hash_hex(&hash)
                    .ok_or_else(|| ProofError::OutOfRange(format!("a stored event hash is not hex: {hash}")))?;
                data.extend_from_slice(&32u16.to_be_bytes());
                data.extend_from_slice(&bytes);
            }
            Ok(Some(data))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_c2sp_layout_both_ways() {
        let full = TileRef { kind: TileKind::Hashes { level: 0 }, index: 1_234_067, width: WIDTH };
        assert_eq!(full.path(), "tile/0/x001/x234/067");
        let partial = TileRef { kind: TileKind::Entries, index: 2, width: 17 };
        assert_eq!(partial.path(), "tile/entries/002.p/17");
        assert_eq!(TileRef::parse("0/x001/x234/067"), Some(full));
        assert_eq!(TileRef::parse("entries/002.p/17"), Some(partial));
        for bad in
            ["0/1234067", "0/x001/234/067x", "9/000", "0/000.p/256", "0/000.p/0", "entries", "0/01", "0/x000/001"]
        {
            assert_eq!(TileRef::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_tree_has_its_full_and_closing_partial_tiles() {
        let paths: Vec<String> = TileRef::all(600).iter().map(TileRef::path).collect();
        assert_eq!(
            paths,
            [
                "tile/0/000",
                "tile/0/001",
                "tile/0/002.p/88",
                "tile/1/000.p/2",
                "tile/entries/000",
                "tile/entries/001",
                "tile/entries/002.p/88"
            ]
        );
    }
}
