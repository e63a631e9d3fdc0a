/// What an import did, row by row: counts of contacts created and updated, of rows rejected and
/// of blank lines skipped, and the first rejected rows with every reason, so a person can fix
/// the file and import it again. Batches of one import merge their reports.
public struct ImportReport: Sendable, Equatable, Codable {
    /// A refused row: its number as the importer counts it (the line of the file, header being
    /// line 1) and every field that was wrong.
    public struct Rejection: Sendable, Equatable, Codable {
        public var row: Int
        public var errors: [FieldError]

        public init(row: Int, errors: [FieldError]) {
            self.row = row
            self.errors = errors
        }
    }

    /// What happened to one row.
    public enum RowOutcome: Sendable, Equatable {
        case created
        case updated
        case rejected([FieldError])
        case blank
    }

    public var created = 0
    public var updated = 0
    public var rejected = 0
    public var skippedBlank = 0
    /// The first rejections, up to ``maximumRejectionsKept``, in the order recorded.
    public private(set) var rejections: [Rejection] = []
    public var maximumRejectionsKept: Int
    public private(set) var warnings: [ImportWarning] = []

    public init(maximumRejectionsKept: Int = 1000) {
        self.maximumRejectionsKept = max(0, maximumRejectionsKept)
    }

    /// Rows read, blank ones included.
    public var processed: Int { created + updated + rejected + skippedBlank }

    /// Rejections counted but not kept.
    public var rejectionsLeftOut: Int { rejected - rejections.count }

    public mutating func record(row: Int, _ outcome: RowOutcome) {
        switch outcome {
        case .created: created += 1
        case .updated: updated += 1
        case .blank: skippedBlank += 1
        case .rejected(let errors):
            rejected += 1
            if rejections.count < maximumRejectionsKept { rejections.append(Rejection(row: row, errors: errors)) }
        }
    }

    /// Records a row the mapper refused.
    public mutating func record(row: Int, _ failure: ValidationFailure) {
        record(row: row, .rejected(failure.errors))
    }

    /// Adds a warning once.
    public mutating func warn(_ warning: ImportWarning) {
        if !warnings.contains(warning) { warnings.append(warning) }
    }

    /// Adds the counts, rejections (while there is room) and warnings of a later batch.
    public mutating func merge(_ other: ImportReport) {
        created += other.created
        updated += other.updated
        rejected += other.rejected
        skippedBlank += other.skippedBlank
        rejections.append(contentsOf: other.rejections.prefix(max(0, maximumRejectionsKept - rejections.count)))
        for warning in other.warnings { warn(warning) }
    }
}
