import Fluent
import Foundation
import SmarketingCore
import SmarketingStore

/// The column mapping of a file, shared by the import page and `smarketing import`: the
/// workspace's saved mapping for the same headers when there is one, else the suggestion
/// (HubSpot and Mautic presets, known fields, new custom fields for the rest).
struct ImportMappings {
    let db: any Database
    let workspaceID: UUID

    /// The mapping to start from, and the preset it was suggested with (nil: the one saved for
    /// these headers).
    func initial(for file: ContactImportFile, definitions: [CustomFieldDefinition]) async throws -> (mapping: ColumnMapping, preset: ImportPreset?) {
        if let saved = try await ImportRepository(db, workspaceID: workspaceID).savedMapping(headers: file.headers),
           saved.targets.count == file.headers.count, saved.targets.allSatisfy({ target in
               // A custom field deleted since then leaves the saved mapping behind.
               if case .custom(let key) = target { return definitions.contains { $0.key == key } }
               return true
           }) {
            return (saved, nil)
        }
        let (preset, mapping) = ColumnMapping.suggest(headers: file.headers, existing: definitions, samples: try file.samples(200))
        return (mapping, preset)
    }

    /// Saves the mapping for the next file with these headers; the fields this import creates
    /// will exist by then, so they are saved as existing custom fields.
    func remember(_ mapping: ColumnMapping, headers: [String], now: Date) async throws {
        let reusable = ColumnMapping(targets: mapping.targets.map { target in
            if case .newCustom(let key, _, _, _) = target { return .custom(key) }
            return target
        })
        try await ImportRepository(db, workspaceID: workspaceID).saveMapping(reusable, headers: headers, now: now)
    }
}
