/// One reason a submitted value was refused, tied to the field that carried it.
///
/// Core reports what is wrong as a code; the web layer turns the code into a sentence in the
/// user's language, so the same rule speaks Portuguese on a page and English in the API.
public struct FieldError: Sendable, Equatable, Hashable, Codable {
    public enum Code: Sendable, Equatable, Hashable, Codable {
        case required
        case tooShort(minimum: Int)
        case tooLong(maximum: Int)
        case invalid
        case notInList
        case alreadyTaken
        case mismatch
        /// A custom number field got text that is not a number.
        case notANumber
        /// A custom date field got text that is not a day of the calendar.
        case notADate
        /// A custom yes/no field got something other than yes or no.
        case notYesOrNo
        /// The change would leave the workspace without an active admin.
        case lastAdmin
    }

    public var field: String
    public var code: Code

    public init(_ field: String, _ code: Code) {
        self.field = field
        self.code = code
    }
}

/// Every field that was refused in one submission, so a form or an API client can fix them
/// all at once instead of one per round trip.
public struct ValidationFailure: Error, Sendable, Equatable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }

    public init(_ field: String, _ code: FieldError.Code) {
        self.errors = [FieldError(field, code)]
    }

    public func first(for field: String) -> FieldError? {
        errors.first { $0.field == field }
    }
}

/// Collects field errors while a request is checked, then throws them together.
public struct FieldChecker: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func add(_ field: String, _ code: FieldError.Code) {
        errors.append(FieldError(field, code))
    }

    /// Trims the value and checks it is present and within `maximum` characters.
    /// Returns the trimmed text, or nil after recording the error.
    public mutating func text(
        _ field: String, _ value: String?, required: Bool = true, minimum: Int = 1, maximum: Int
    ) -> String? {
        let trimmed = (value ?? "").trimmingBlanks
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && !["\t", "\n", "\r"].contains($0) }) {
            add(field, .invalid)
            return nil
        }
        if trimmed.isEmpty {
            if required { add(field, .required) }
            return nil
        }
        if trimmed.count > maximum {
            add(field, .tooLong(maximum: maximum))
            return nil
        }
        if trimmed.count < minimum {
            add(field, .tooShort(minimum: minimum))
            return nil
        }
        return trimmed
    }

    public func throwIfAny() throws(ValidationFailure) {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}

extension String {
    /// The text without surrounding spaces, tabs and line breaks.
    /// Whether the text is empty or only blanks (what ``trimmingBlanks`` would make empty),
    /// found without building the trimmed text.
    public var isBlank: Bool {
        !contains { !($0.isWhitespace || $0.isNewline) }
    }

    public var trimmingBlanks: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace || first.isNewline { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace || last.isNewline { scalars.removeLast() }
        return String(scalars)
    }
}

/// A code is an `Error` so that a single value's check can answer `Result<Value, FieldError.Code>`
/// (see ``CustomFieldDefinition/parse(_:)``) and the caller names the field.
extension FieldError.Code: Error {}
