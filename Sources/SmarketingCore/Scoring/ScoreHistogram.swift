/// How many contacts have a total score in each of fixed buckets: below 0, then 0-9, 10-19,
/// ..., 90-99, then 100 and more. Fixed buckets let the page draw "before" and "after" on the
/// same axis.
public struct ScoreHistogram: Sendable, Equatable, Hashable, Codable {
    /// The lower bounds of the buckets after the first (which holds everything below 0).
    public static let bucketStarts: [Double] = stride(from: 0.0, through: 100.0, by: 10.0).map { $0 }

    /// `bucketStarts.count + 1` counts: below 0, [0, 10), ..., [90, 100), 100 and more.
    public private(set) var counts: [Int]

    public init() {
        counts = Array(repeating: 0, count: Self.bucketStarts.count + 1)
    }

    public init(scores: some Sequence<Double>) {
        self.init()
        for score in scores { add(score) }
    }

    public mutating func add(_ score: Double) {
        counts[Self.bucket(of: score)] += 1
    }

    /// The bucket index of a score (NaN counts as below 0).
    public static func bucket(of score: Double) -> Int {
        guard score >= 0 else { return 0 }
        var index = 0
        while index < bucketStarts.count, score >= bucketStarts[index] { index += 1 }
        return index
    }

    /// "< 0", "0-9", ..., "90-99", "100+".
    public static var labels: [String] {
        var labels = ["< 0"]
        for (index, start) in bucketStarts.enumerated() {
            let low = Int(start)
            labels.append(index + 1 < bucketStarts.count ? "\(low)-\(Int(bucketStarts[index + 1]) - 1)" : "\(low)+")
        }
        return labels
    }

    public var total: Int { counts.reduce(0, +) }
}
