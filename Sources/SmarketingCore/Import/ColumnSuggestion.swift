/// The mapping an import proposes for a file it has not seen before.
extension ColumnMapping {
    /// Proposes a target for each column, from the headers and a sample of rows (cells by
    /// column index; short rows are read as blank):
    /// 1. The preset is the one that recognises the most headers (ties: smarketing, hubspot,
    ///    mautic).
    /// 2. A header naming a contact field (in the preset, then in the others) maps to it, unless
    ///    its cells show it is something else: a name-like field (``ContactFields/namingFields``)
    ///    whose cells are all numbers, or a checked field (age, country, owner...) none of whose
    ///    cells is valid for it, such as HubSpot's "Contact owner" holding names. Email is always
    ///    mapped: its bad cells are reported per row. When several headers name the same field,
    ///    the preferred one (see ``ImportPreset``) takes it.
    /// 3. The other system's record id is ignored.
    /// 4. A header equal to an existing contact custom field's key or label (or `cf_<key>`, as
    ///    our export writes) maps to that field.
    /// 5. Any other column becomes a new custom field: key from ``CustomFieldDefinition/suggestedKey(fromHeader:)``
    ///    made unique (`campaign_2` when `campaign` is taken), label from the header, type and
    ///    options from ``CustomFieldDefinition/inferType(samples:)``. A column without header
    ///    or values is ignored.
    public static func suggest(
        headers: [String], existing: [CustomFieldDefinition], samples: [[String]]
    ) -> (preset: ImportPreset, mapping: ColumnMapping) {
        let keys = headers.map(\.matchKey)
        let columns = headers.indices.map { index in samples.map { index < $0.count ? $0[index] : "" } }
        let preset = ImportPreset.allCases.max { count(keys, headers, in: $0) < count(keys, headers, in: $1) } ?? .smarketing
        let order = [preset] + ImportPreset.allCases.filter { $0 != preset }

        var targets: [ColumnTarget?] = Array(repeating: nil, count: headers.count)
        var claims: [String: (column: Int, rank: Int)] = [:]
        for (column, key) in keys.enumerated() where !key.isEmpty {
            let found = order.enumerated().lazy.compactMap { position, preset in
                preset.meaning(of: key).map { (meaning: $0.meaning, rank: position * 1000 + $0.rank) }
            }.first
            switch found?.meaning {
            case .field(let field)?:
                guard let rank = found?.rank, fits(field, columns[column]) else { continue }
                if let claim = claims[field], claim.rank <= rank { continue }
                claims[field] = (column, rank)
            case .foreignID?:
                targets[column] = .ignore
            case .other?, nil:
                continue
            }
        }
        for (field, claim) in claims { targets[claim.column] = .field(field) }

        let contactFields = existing.filter { $0.entity == .contact }
        var taken = Set(ContactFields.builtIn + existing.map(\.key))
        var usedExisting: Set<String> = []
        for column in headers.indices where targets[column] == nil {
            let header = headers[column].trimmingBlanks
            let named = strippingPrefix(header)
            if let field = contactFields.first(where: { definition in
                !usedExisting.contains(definition.key)
                    && [definition.key.matchKey, definition.label.matchKey].contains(named.matchKey) && !named.matchKey.isEmpty
            }) {
                usedExisting.insert(field.key)
                targets[column] = .custom(field.key)
                continue
            }
            let values = columns[column]
            if header.isEmpty, values.allSatisfy({ $0.trimmingBlanks.isEmpty }) {
                targets[column] = .ignore
                continue
            }
            let base = named.matchKey.isEmpty ? "column_\(column + 1)" : CustomFieldDefinition.suggestedKey(fromHeader: named)
            let key = unique(base, avoiding: taken)
            taken.insert(key)
            let label = header.isEmpty ? "Column \(column + 1)" : String(header.prefix(CustomFieldDefinition.labelMaximumLength)).trimmingBlanks
            let inferred = CustomFieldDefinition.inferType(samples: values)
            targets[column] = .newCustom(key: key, label: label, type: inferred.type, options: inferred.options)
        }
        return (preset, ColumnMapping(targets: targets.map { $0 ?? .ignore }))
    }

    /// How many headers a preset recognises; our own `cf_` columns count for ours.
    private static func count(_ keys: [String], _ headers: [String], in preset: ImportPreset) -> Int {
        zip(keys, headers).filter { key, header in
            preset.meaning(of: key) != nil || (preset == .smarketing && strippingPrefix(header) != header.trimmingBlanks)
        }.count
    }

    /// Whether a column's sample cells can be the field's values.
    static func fits(_ field: String, _ cells: [String]) -> Bool {
        let values = cells.map(\.trimmingBlanks).filter { !$0.isEmpty }
        guard !values.isEmpty, field != "email" else { return true }
        if ContactFields.namingFields.contains(field) {
            return !values.allSatisfy { NumberText.parse($0) != nil }
        }
        return values.contains { value in
            switch ContactInput.check([field: value], customFields: []) {
            case .success: true
            case .failure(let failure): failure.first(for: field) == nil
            }
        }
    }

    /// The header without our export's `cf_` prefix (and trimmed).
    private static func strippingPrefix(_ header: String) -> String {
        let trimmed = header.trimmingBlanks
        let prefix = CustomFieldDefinition.fieldNamePrefix
        guard trimmed.lowercased().hasPrefix(prefix), trimmed.count > prefix.count else { return trimmed }
        return String(trimmed.dropFirst(prefix.count))
    }

    /// `base`, or `base_2`, `base_3`... (shortened to fit 40 characters) when taken.
    static func unique(_ base: String, avoiding taken: Set<String>) -> String {
        guard taken.contains(base) else { return base }
        var number = 2
        while true {
            let suffix = "_\(number)"
            var stem = String(base.prefix(CustomFieldDefinition.keyMaximumLength - suffix.count))
            while stem.hasSuffix("_") { stem.removeLast() }
            let candidate = stem + suffix
            if !taken.contains(candidate) { return candidate }
            number += 1
        }
    }
}
