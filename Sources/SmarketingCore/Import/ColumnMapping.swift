import Foundation

/// What an import does with each column of a CSV file: the mapping the person confirms (or
/// changes) before the rows are read.
public struct ColumnMapping: Sendable, Equatable, Codable {
    /// One per CSV column, by index. Columns past the end are ignored.
    public var targets: [ColumnTarget]

    public init(targets: [ColumnTarget]) {
        self.targets = targets
    }

    /// The custom fields the import must create first, in column order.
    public var newFields: [(key: String, label: String, type: CustomFieldType, options: [String])] {
        targets.compactMap { target in
            guard case .newCustom(let key, let label, let type, let options) = target else { return nil }
            return (key, label, type, options)
        }
    }

    /// The column whose values go under a field name (`email`, `cf_job`), to point a row's
    /// error at a column of the file.
    public func column(of fieldName: String) -> Int? {
        targets.firstIndex { $0.fieldName == fieldName }
    }
}
