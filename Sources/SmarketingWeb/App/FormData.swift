import Vapor

/// The fields of a submitted HTML form (`application/x-www-form-urlencoded`), with repeated
/// names kept (checkbox groups send `roles=a&roles=b`).
struct FormData: Sendable {
    private(set) var pairs: [(String, String)]

    init(pairs: [(String, String)]) {
        self.pairs = pairs
    }

    /// The first value of a field, or nil.
    func value(_ name: String) -> String? {
        pairs.first { $0.0 == name }?.1
    }

    /// Every value of a repeated field, in order.
    func values(_ name: String) -> [String] {
        pairs.filter { $0.0 == name }.map(\.1)
    }

    static let maximumBytes = 256 * 1024

    /// Reads and caches the request's form body; a body that is too large is refused with 413,
    /// a body of another type with 415.
    static func read(_ request: Request) async throws -> FormData {
        if let cached = request.storage[Key.self] { return cached }
        let form: FormData
        if request.method == .GET || request.method == .HEAD {
            form = FormData(pairs: [])
        } else {
            if let type = request.headers.contentType, type != .urlEncodedForm {
                throw Abort(.unsupportedMediaType)
            }
            if request.body.data == nil {
                _ = try await request.body.collect(max: maximumBytes).get()
            }
            guard let buffer = request.body.data else {
                request.storage[Key.self] = FormData(pairs: [])
                return FormData(pairs: [])
            }
            guard buffer.readableBytes <= maximumBytes else { throw Abort(.payloadTooLarge) }
            form = parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
        }
        request.storage[Key.self] = form
        return form
    }

    static func parse(_ body: String) -> FormData {
        var pairs: [(String, String)] = []
        for part in body.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(pieces[0])
            let value = pieces.count > 1 ? decode(pieces[1]) : ""
            pairs.append((name, value))
        }
        return FormData(pairs: pairs)
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    private struct Key: StorageKey {
        typealias Value = FormData
    }
}
