/// When a contact counts as a marketing-qualified lead (MQL): the line the two teams agreed on.
///
/// JSON: `{"thresholds": {"fit": 40, "engagement": 30}}` or
/// `{"grid": {"fit_grades": {"a": 60, "b": 40, "c": 20}, "engagement_levels": {"level_2": 10, "level_3": 30, "level_4": 60}, "cells": ["A3", "A4", "B4"]}}`.
public enum MQLRule: Sendable, Equatable, Hashable {
    /// Fit points at least `fit` and engagement points (decayed, at the time of the decision) at
    /// least `engagement`.
    case thresholds(fit: Int, engagement: Double)
    /// A grade from the fit score and a level from the engagement score; the contact is an MQL
    /// when its (grade, level) cell is one of the grid's cells.
    case grid(MQLGrid)
}

/// The fit-by-engagement grid (A1...D4). Grade A is the best fit; level 4 the highest
/// engagement.
public struct MQLGrid: Sendable, Equatable, Hashable {
    public var fitGrades: FitGradeThresholds
    public var engagementLevels: EngagementLevelThresholds
    /// The cells that count as MQL. They must be monotone: with a cell, every cell with at least
    /// as good a grade and at least as high a level is in too (a better lead than an MQL is an MQL).
    public var cells: [MQLCell]

    public init(fitGrades: FitGradeThresholds, engagementLevels: EngagementLevelThresholds, cells: [MQLCell]) {
        self.fitGrades = fitGrades
        self.engagementLevels = engagementLevels
        self.cells = cells
    }

    public func grade(fit: Int) -> FitGrade {
        if fit >= fitGrades.a { return .a }
        if fit >= fitGrades.b { return .b }
        if fit >= fitGrades.c { return .c }
        return .d
    }

    public func level(engagement: Double) -> EngagementLevel {
        if engagement >= engagementLevels.level4 { return .four }
        if engagement >= engagementLevels.level3 { return .three }
        if engagement >= engagementLevels.level2 { return .two }
        return .one
    }
}

/// The least fit points for grades A, B and C, strictly decreasing; below `c` is grade D.
public struct FitGradeThresholds: Sendable, Equatable, Hashable, Codable {
    public var a: Int
    public var b: Int
    public var c: Int

    public init(a: Int, b: Int, c: Int) {
        self.a = a
        self.b = b
        self.c = c
    }
}

/// The least engagement points for levels 2, 3 and 4, strictly increasing; below `level2` is
/// level 1.
public struct EngagementLevelThresholds: Sendable, Equatable, Hashable, Codable {
    public var level2: Double
    public var level3: Double
    public var level4: Double

    public init(level2: Double, level3: Double, level4: Double) {
        self.level2 = level2
        self.level3 = level3
        self.level4 = level4
    }

    enum CodingKeys: String, CodingKey {
        case level2 = "level_2"
        case level3 = "level_3"
        case level4 = "level_4"
    }
}

/// A fit grade, A (best) to D.
public enum FitGrade: String, Sendable, Codable, CaseIterable, Comparable {
    case a = "A"
    case b = "B"
    case c = "C"
    case d = "D"

    /// A is the smallest: sorting puts the best fit first.
    public static func < (lhs: FitGrade, rhs: FitGrade) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }
}

/// An engagement level, 1 (least engaged) to 4.
public enum EngagementLevel: Int, Sendable, Codable, CaseIterable, Comparable {
    case one = 1
    case two = 2
    case three = 3
    case four = 4

    public static func < (lhs: EngagementLevel, rhs: EngagementLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One cell of the grid, written `A1`...`D4`.
public struct MQLCell: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var grade: FitGrade
    public var level: EngagementLevel

    public init(_ grade: FitGrade, _ level: EngagementLevel) {
        self.grade = grade
        self.level = level
    }

    /// Reads `A1`...`D4` (case-insensitive).
    public init?(_ text: String) {
        let characters = Array(text.trimmingBlanks.uppercased())
        guard characters.count == 2, let grade = FitGrade(rawValue: String(characters[0])),
              let digit = characters[1].wholeNumberValue, let level = EngagementLevel(rawValue: digit)
        else { return nil }
        self.init(grade, level)
    }

    public var description: String { grade.rawValue + String(level.rawValue) }

    /// Best grade first, then highest level first: A4, A3, ..., D1.
    public static func < (lhs: MQLCell, rhs: MQLCell) -> Bool {
        lhs.grade != rhs.grade ? lhs.grade < rhs.grade : lhs.level > rhs.level
    }

    /// Every cell of the grid.
    public static let all: [MQLCell] = FitGrade.allCases.flatMap { grade in
        EngagementLevel.allCases.reversed().map { MQLCell(grade, $0) }
    }

    /// True when `other` is at least as good a fit and at least as engaged as this cell.
    public func isDominated(by other: MQLCell) -> Bool {
        other.grade <= grade && other.level >= level
    }
}

extension MQLCell: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let cell = MQLCell(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a grid cell: \(text)")
        }
        self = cell
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension MQLGrid: Codable {
    enum CodingKeys: String, CodingKey {
        case fitGrades = "fit_grades"
        case engagementLevels = "engagement_levels"
        case cells
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        fitGrades = try container.decode(FitGradeThresholds.self, forKey: .fitGrades)
        engagementLevels = try container.decode(EngagementLevelThresholds.self, forKey: .engagementLevels)
        cells = try container.decode([MQLCell].self, forKey: .cells)
    }

    /// Cells are written sorted and once each, so the same grid always has the same JSON (and
    /// the same content digest).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fitGrades, forKey: .fitGrades)
        try container.encode(engagementLevels, forKey: .engagementLevels)
        try container.encode(Set(cells).sorted(), forKey: .cells)
    }
}

extension MQLRule: Codable {
    enum CodingKeys: String, CodingKey {
        case thresholds, grid
    }

    struct Thresholds: Codable {
        var fit: Int
        var engagement: Double
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let grid = try container.decodeIfPresent(MQLGrid.self, forKey: .grid) {
            self = .grid(grid)
        } else {
            let thresholds = try container.decode(Thresholds.self, forKey: .thresholds)
            self = .thresholds(fit: thresholds.fit, engagement: thresholds.engagement)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .thresholds(let fit, let engagement):
            try container.encode(Thresholds(fit: fit, engagement: engagement), forKey: .thresholds)
        case .grid(let grid):
            try container.encode(grid, forKey: .grid)
        }
    }
}
