//! Inclusion and consistency proofs from the stored tree, in O(log n) reads.
//!
//! The sealer stores every RFC 6962 tree hash in the tlog stored-hash layout, so a proof
//! needs only the O(log n) hashes on its path: they are computed from the sizes alone,
//! fetched with one query, and assembled by `tlog_tiles`. Nothing is re-hashed.

use std::cell::RefCell;
use std::collections::HashMap;

use ledger_format::merkle::{self, Hash, HashReader};

use crate::{with_pool, Db};

/// Why a proof cannot be given.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    #[error("{0}")]
    OutOfRange(String),
    #[error("the stored tree is missing hash {0}")]
    MissingHash(u64),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The proof shapes served are the published ones (docs/LEDGER-FORMAT.md §13), the very
/// types auditors parse; `checkpoint` fields are filled in by the server.
pub use ledger_format::proof::{ConsistencyProof, InclusionProof};

/// Records the indexes a proof asks for, answering with placeholders.
#[derive(Default)]
struct Recorder(RefCell<Vec<u64>>);

impl HashReader for Recorder {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::tlog::Error> {
        self.0.borrow_mut().extend_from_slice(indexes);
        Ok(vec![Hash([0; 32]); indexes.len()])
    }
}

/// Answers from hashes fetched from the database.
struct Fetched(HashMap<u64, Hash>);

impl HashReader for Fetched {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::tlog::Error> {
        indexes.iter().map(|i| self.0.get(i).copied().ok_or(tlog_tiles::tlog::Error::IndexesNotInTree)).collect()
    }
}

fn hex_all(hashes: &[Hash]) -> Vec<String> {
    hashes.iter().map(|h| hex::encode(h.0)).collect()
}

/// Proofs over one database.
#[derive(Debug, Clone)]
pub struct Proofs {
    db: Db,
}

impl Proofs {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The number of sealed events.
    pub async fn tree_size(&self) -> Result<u64, ProofError> {
        let size: i64 = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM positions").fetch_one(pool).await?
        });
        Ok(u64::try_from(size).unwrap_or(0))
    }

    /// Fetches the stored hashes with these tlog indexes, in one query.
    async fn fetch(&self, indexes: &[u64]) -> Result<Fetched, ProofError> {
        let mut found = HashMap::with_capacity(indexes.len());
        if indexes.is_empty() {
            return Ok(Fetched(found));
        }
        let mut rows: Vec<(i64, Vec<u8>)> = Vec::with_capacity(indexes.len());
        // Chunks keep each query under the databases' bind-parameter limits.
        for chunk in indexes.chunks(1000) {
            let part: Vec<(i64, Vec<u8>)> = with_pool!(&self.db, pool => {
                let mut q = sqlx::QueryBuilder::new("SELECT idx, hash FROM merkle_hashes WHERE idx IN (");
                let mut list = q.separated(", ");
                for idx in chunk {
                    list.push_bind(i64::try_from(*idx).unwrap_or(i64::MAX));
                }
                q.push(")");
                q.build_query_as().fetch_all(pool).await?
            });
            rows.extend(part);
        }
        for (idx, hash) in rows {
            let idx = u64::try_from(idx).unwrap_or_default();
            let hash: [u8; 32] = hash.try_into().map_err(|_| ProofError::MissingHash(idx))?;
            found.insert(idx, Hash(hash));
        }
        if let Some(missing) = indexes.iter().find(|i| !found.contains_key(i)) {
            return Err(ProofError::MissingHash(*missing));
        }
        Ok(Fetched(found))
    }

    /// The stored hashes with these tlog indexes, in that order.
    pub async fn hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, ProofError> {
        let fetched = self.fetch(indexes).await?;
        indexes.iter().map(|i| fetched.0.get(i).copied().ok_or(ProofError::MissingHash(*i))).collect()
    }

    /// The root of the tree of `size` leaves, from the stored hashes.
    pub async fn root(&self, size: u64) -> Result<Hash, ProofError> {
        let recorder = Recorder::default();
        let _ = merkle::tree_hash(size, &recorder);
        let fetched = self.fetch(&recorder.0.take()).await?;
        merkle::tree_hash(size, &fetched).map_err(|_| ProofError::OutOfRange(format!("no tree of size {size}")))
    }

    async fn check_size(&self, tree_size: u64) -> Result<(), ProofError> {
        let current = self.tree_size().await?;
        if tree_size == 0 || tree_size > current {
            return Err(ProofError::OutOfRange(format!("tree_size must be between 1 and {current}, the sealed size")));
        }
        Ok(())
    }

    /// Proves that the event at `position` is leaf `position` of the tree of `tree_size`.
    ///
    /// No separate size check: a size beyond the sealed tree shows up as missing stored
    /// hashes, so a proof costs two queries (the path's hashes, the event hash).
    pub async fn inclusion(&self, position: u64, tree_size: u64) -> Result<InclusionProof, ProofError> {
        if position >= tree_size {
            return Err(ProofError::OutOfRange(format!("position {position} is not in a tree of size {tree_size}")));
        }
        let recorder = Recorder::default();
        let _ = merkle::prove_record(tree_size, position, &recorder);
        let _ = merkle::tree_hash(tree_size, &recorder);
        let mut indexes = recorder.0.take();
        let leaf_index = merkle::stored_hash_index(0, position);
        indexes.push(leaf_index);
        indexes.sort_unstable();
        indexes.dedup();
        // One round trip: the path's stored hashes and the event hash of the leaf. On
        // PostgreSQL the indexes go as one array, so every proof runs the one prepared
        // statement (a list of binds would be a new statement for each path length).
        let wanted: Vec<i64> = indexes.iter().map(|idx| i64::try_from(*idx).unwrap_or(i64::MAX)).collect();
        let at = i64::try_from(position).unwrap_or(i64::MAX);
        let rows: Vec<(i64, Vec<u8>)> = match &self.db {
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT idx, hash FROM merkle_hashes WHERE idx = ANY($1) \
                     UNION ALL SELECT -1, decode(event_hash, 'hex') FROM positions WHERE position = $2",
                )
                .bind(&wanted)
                .bind(at)
                .fetch_all(pool)
                .await?
            }
            Db::Sqlite(pool) => {
                let mut q = sqlx::QueryBuilder::new("SELECT idx, hash FROM merkle_hashes WHERE idx IN (");
                let mut list = q.separated(", ");
                for idx in &wanted {
                    list.push_bind(*idx);
                }
                q.push(") UNION ALL SELECT -1, unhex(event_hash) FROM positions WHERE position = ");
                q.push_bind(at);
                q.build_query_as().fetch_all(pool).await?
            }
        };
        let mut found = HashMap::with_capacity(rows.len());
        let mut event_hash = String::new();
        for (idx, hash) in rows {
            if idx < 0 {
                event_hash = hex::encode(hash);
                continue;
            }
            let idx = u64::try_from(idx).unwrap_or_default();
            found.insert(idx, Hash(hash.try_into().map_err(|_| ProofError::MissingHash(idx))?));
        }
        if indexes.iter().any(|i| !found.contains_key(i)) {
            return Err(ProofError::OutOfRange(format!("tree_size {tree_size} is beyond the sealed tree")));
        }
        let fetched = Fetched(found);
        let path =
            merkle::prove_record(tree_size, position, &fetched).map_err(|_| ProofError::MissingHash(leaf_index))?;
        let root = merkle::tree_hash(tree_size, &fetched).map_err(|_| ProofError::MissingHash(leaf_index))?;
        let leaf = fetched.0[&leaf_index];
        Ok(InclusionProof {
            position,
            tree_size,
            leaf_hash: hex::encode(leaf.0),
            event_hash,
            audit_path: hex_all(&path),
            root_hash: hex::encode(root.0),
            checkpoint: String::new(),
        })
    }

    /// Audit paths for many positions in one tree, fetching every hash they need at once.
    pub async fn audit_paths(&self, positions: &[u64], tree_size: u64) -> Result<Vec<Vec<String>>, ProofError> {
        self.check_size(tree_size).await?;
        let recorder = Recorder::default();
        for &position in positions {
            if position >= tree_size {
                return Err(ProofError::OutOfRange(format!(
                    "position {position} is not in a tree of size {tree_size}"
                )));
            }
            let _ = merkle::prove_record(tree_size, position, &recorder);
        }
        let mut indexes = recorder.0.take();
        indexes.sort_unstable();
        indexes.dedup();
        let fetched = self.fetch(&indexes).await?;
        positions
            .iter()
            .map(|&p| {
                merkle::prove_record(tree_size, p, &fetched)
                    .map(|path| hex_all(&path))
                    .map_err(|_| ProofError::MissingHash(p))
            })
            .collect()
    }

    /// Proves that the tree of `first` leaves is a prefix of the tree of `second` leaves.
    pub async fn consistency(&self, first: u64, second: u64) -> Result<ConsistencyProof, ProofError> {
        self.check_size(second).await?;
        if first == 0 || first > second {
            return Err(ProofError::OutOfRange(format!("from must be between 1 and {second}")));
        }
        let recorder = Recorder::default();
        let _ = merkle::prove_tree(second, first, &recorder);
        let _ = merkle::tree_hash(first, &recorder);
        let _ = merkle::tree_hash(second, &recorder);
        let mut indexes = recorder.0.take();
        indexes.sort_unstable();
        indexes.dedup();
        let fetched = self.fetch(&indexes).await?;
        let missing = |_| ProofError::OutOfRange("the stored tree is incomplete".into());
        let path = merkle::prove_tree(second, first, &fetched).map_err(missing)?;
        let first_root = merkle::tree_hash(first, &fetched).map_err(missing)?;
        let second_root = merkle::tree_hash(second, &fetched).map_err(missing)?;
        Ok(ConsistencyProof {
            first,
            second,
            first_root: hex::encode(first_root.0),
            second_root: hex::encode(second_root.0),
            consistency_path: hex_all(&path),
            first_checkpoint: None,
            second_checkpoint: None,
        })
    }

    /// The ledger position of an event, if sealed.
    pub async fn position_of(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        sequence: i64,
    ) -> Result<Option<u64>, ProofError> {
        let position: Option<i64> = with_pool!(&self.db, pool => {
            sqlx::query_scalar("SELECT position FROM positions WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence = $3")
                .bind(aggregate_type)
                .bind(aggregate_id)
                .bind(sequence)
                .fetch_optional(pool)
                .await?
        });
        Ok(position.and_then(|p| u64::try_from(p).ok()))
    }
}
