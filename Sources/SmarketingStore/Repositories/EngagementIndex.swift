import Foundation
import FluentKit

/// The index of scores by engagement (`contact_scores_workspace_engagement`), which a large
/// re-scoring run sets aside on SQLite and builds again once, at its end.
///
/// A run writes its contacts in id order, but their engagement keys come in no order at all:
/// each transaction of the run moved entries on nearly every page of the index, and SQLite wrote
/// each of those pages into its log and then into the file, commit after commit. After a model
/// change at a million contacts that was about three quarters of the bytes a run wrote (8.5 GB
/// of 11), against one sort of the index at the end (about 3 s). While the index is aside,
/// lists filtered or sorted by engagement read the scores table instead: slower, never wrong,
/// and real-time scoring goes on as before (the index is built from the rows as they are then).
///
/// Only a run whose workspace holds at least half of the stored scores sets it aside: the index
/// serves every workspace of the file and is built again whole. A run that stops or fails
/// builds it before it returns; a process killed during a run leaves it to ``restore(_:)`` at
/// the next start. PostgreSQL keeps its index throughout.
public enum EngagementIndex {
    static let name = "contact_scores_workspace_engagement"
    static let create = "CREATE INDEX IF NOT EXISTS \"\(name)\" ON \"\(ContactScoreRow.schema)\" (\"workspace_id\", \"engagement_key\")"

    /// Drops the index for a run of this workspace with `contactsLeft` contacts to score, when
    /// they are at least `minimum` and the workspace holds at least half of the stored scores;
    /// answers whether the run must build it again.
    static func setAside(_ db: any Database, workspaceID: UUID, contactsLeft: Int, from minimum: Int) async throws -> Bool {
        guard contactsLeft >= minimum else { return false }
        return try await StoreTuning.writeTransaction(db) { tx in
            try await RawSQLite.with(tx) { raw -> Bool in
                // The statement is done (finalized) before the index can be dropped.
                let (all, own) = try { () throws -> (Int?, Int?) in
                    let count = try RawSQLite.Statement(raw, "SELECT COUNT(*), COUNT(CASE WHEN workspace_id = ? THEN 1 END) FROM \"\(ContactScoreRow.schema)\"")
                    count.bind(1, workspaceID)
                    return try count.step() ? (count.integer(0), count.integer(1)) : (nil, nil)
                }()
                guard let all, let own, own * 2 >= all else { return false }
                try raw.execute("DROP INDEX IF EXISTS \"\(name)\"")
                return true
            } ?? false
        }
    }

    /// Builds the index unless it is there; on SQLite, where a run may have set it aside.
    public static func restore(_ db: any Database) async throws {
        _ = try await RawSQLite.with(db) { try $0.execute(create) }
    }

    /// Whether the index is there (SQLite).
    static func isPresent(_ db: any Database) async throws -> Bool? {
        try await RawSQLite.with(db) { raw in
            let select = try RawSQLite.Statement(raw, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?")
            select.bind(1, name)
            return try select.step() && select.integer(0) == 1
        }
    }
}
