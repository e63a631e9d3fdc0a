import Foundation
import SmarketingCore

/// Event rows for the engine (`contact_id, external_id, type, properties, occurred_at`, ordered
/// by contact) as SQLite holds them: their texts copied into one buffer and their times beside
/// it. Copying is all the connection does per row; turning the bytes into events is pure work
/// that runs on another core, beside the connection's next read.
struct EventRowBytes: Sendable {
    private var bytes: [UInt8] = []
    /// Per row, where each of its four texts ends in `bytes`.
    private var ends: [Int] = []
    private var times: [Double] = []

    var count: Int { times.count }

    /// Reads every row of `statement`, which selects the columns above.
    mutating func read(_ statement: RawSQLite.Statement) throws {
        while try statement.step() {
            guard let time = statement.double(4) else {
                throw DirectRows.UnexpectedRow(table: EventRow.schema, row: "an event of contact " + String(decoding: statement.bytes(0), as: UTF8.self) + " has no time")
            }
            for column in Int32(0)..<4 {
                bytes.append(contentsOf: statement.bytes(column).assumingMemoryBound(to: UInt8.self))
                ends.append(bytes.count)
            }
            times.append(time)
        }
    }

    /// Adds each row's event to its contact's list, in order. A contact's id is parsed once;
    /// event types and property texts seen before in the batch are shared, not decoded again.
    func group(into result: inout [UUID: [ScoringEvent]]) throws {
        var types = Interned<String>(), properties = Interned<[String: String]>()
        try bytes.withUnsafeBytes { all in
            var contactID: UUID?, contactText = UnsafeRawBufferPointer(start: nil, count: 0), events: [ScoringEvent] = []
            var start = 0
            for row in 0..<count {
                let base = row * 4
                func text(_ column: Int) -> UnsafeRawBufferPointer {
                    let from = column == 0 ? start : ends[base + column - 1]
                    return UnsafeRawBufferPointer(rebasing: all[from..<ends[base + column]])
                }
                let contact = text(0)
                if contactID == nil || !Self.same(contact, contactText) {
                    if let contactID { result[contactID, default: []] += events }
                    guard let parsed = UUIDText.parse(contact) else {
                        throw DirectRows.UnexpectedRow(table: EventRow.schema, row: "contact id " + String(decoding: contact, as: UTF8.self))
                    }
                    contactID = parsed
                    contactText = contact
                    events = []
                }
                let type = types.value(of: text(2)) { String(decoding: $0, as: UTF8.self) }
                let values = properties.value(of: text(3)) { FlatJSON.decode($0) ?? AuditLog.decode(String(decoding: $0, as: UTF8.self)) }
                events.append(ScoringEvent(id: String(decoding: text(1), as: UTF8.self), type: type,
                                           time: Date(timeIntervalSince1970: times[row]), properties: values))
                start = ends[base + 3]
            }
            if let contactID { result[contactID, default: []] += events }
        }
    }
}

extension EventRowBytes {
    /// Whether two texts have the same bytes.
    static func same(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bool {
        guard first.count == second.count else { return false }
        guard let a = first.baseAddress, let b = second.baseAddress else { return true }
        return memcmp(a, b, first.count) == 0
    }
}

/// Values decoded from texts, kept by the texts' bytes so that a text met again is not decoded
/// again (a batch's events share a few types and, often, the same properties). Bounded: past
/// its size, new texts are decoded every time.
struct Interned<Value> {
    private var entries: [UInt64: (bytes: [UInt8], value: Value)] = [:]
    private let limit = 4096

    mutating func value(of bytes: UnsafeRawBufferPointer, decode: (UnsafeRawBufferPointer) -> Value) -> Value {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        if let entry = entries[hash], entry.bytes.withUnsafeBytes({ EventRowBytes.same($0, bytes) }) { return entry.value }
        let value = decode(bytes)
        if entries.count < limit, entries[hash] == nil { entries[hash] = (Array(bytes), value) }
        return value
    }
}
