/// Where one column of an imported CSV file goes.
public enum ColumnTarget: Sendable, Equatable, Hashable, Codable {
    /// A contact field, by its name in ``ContactFields/builtIn``.
    case field(String)
    /// An existing custom field, by key.
    case custom(String)
    /// A custom field the import creates before its first row.
    case newCustom(key: String, label: String, type: CustomFieldType, options: [String])
    /// The column is not imported.
    case ignore

    /// The name the value goes under in ``ContactInput/check(_:customFields:)``: the built-in
    /// name or `cf_<key>`; nil for an ignored column.
    public var fieldName: String? {
        switch self {
        case .field(let name): name
        case .custom(let key), .newCustom(let key, _, _, _): CustomFieldDefinition.fieldNamePrefix + key
        case .ignore: nil
        }
    }
}
