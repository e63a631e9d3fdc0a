import Foundation

/// An event another system sends to the batch ingest API, as it arrived: every value optional
/// and still text, so each problem can be named by its field.
public struct EventSubmissionInput: Sendable, Equatable {
    /// The sender's id for the event; a second event with the same id is a replay, stored once.
    public var id: String?
    public var type: String?
    /// ISO 8601 (`2026-12-02T10:00:00Z`, fractional seconds allowed); none means now.
    public var occurredAt: String?
    /// Flat properties: numbers and yes/no values arrive as their text.
    public var properties: [String: String]?
    /// Properties that were not text, numbers or yes/no (an object or a list), refused by key.
    public var unreadableProperties: [String]
    /// Who did it: a contact by id or email, or a visitor not yet identified (with a contact, the
    /// visitor it turned out to be).
    public var contactID: String?
    public var email: String?
    public var anonymousID: String?

    public init(id: String? = nil, type: String? = nil, occurredAt: String? = nil, properties: [String: String]? = nil,
                unreadableProperties: [String] = [], contactID: String? = nil, email: String? = nil, anonymousID: String? = nil) {
        self.id = id
        self.type = type
        self.occurredAt = occurredAt
        self.properties = properties
        self.unreadableProperties = unreadableProperties
        self.contactID = contactID
        self.email = email
        self.anonymousID = anonymousID
    }
}

/// An event that passed every check, ready to be stored.
public struct EventSubmission: Sendable, Equatable {
    public enum Subject: Sendable, Equatable {
        case contact(UUID)
        case email(EmailAddress)
        case anonymous(String)
    }

    public var event: ScoringEvent
    public var subject: Subject
    /// A visitor's anonymous id sent with a contact: the event identifies the visitor, whose
    /// earlier anonymous events become the contact's.
    public var identifies: String?

    public init(event: ScoringEvent, subject: Subject, identifies: String? = nil) {
        self.event = event
        self.subject = subject
        self.identifies = identifies
    }
}

/// What one ingest request and one event may carry.
public enum EventSubmissionLimits {
    public static let eventsPerRequest = 1000
    public static let bytesPerRequest = 1 << 20
    public static let idMaximumLength = 200
    public static let typeMaximumLength = 64
    public static let propertiesPerEvent = 50
    public static let propertyKeyMaximumLength = 64
    /// The properties of one event, keys and values together, in UTF-8 bytes.
    public static let propertyBytesPerEvent = 8 * 1024
    /// How far ahead of the server's clock an event may claim to have happened (clock skew).
    public static let futureTolerance: TimeInterval = 5 * 60
    public static let anonymousIDMaximumLength = 128
}

extension EventSubmission {
    /// Checks one submitted event; `knownTypes` are the event types the workspace accepts.
    /// Every problem is reported, each under its field name.
    public static func check(_ input: EventSubmissionInput, knownTypes: Set<String>, now: Date) -> Result<EventSubmission, ValidationFailure> {
        var checker = FieldChecker()
        let id = input.id?.trimmingBlanks ?? ""
        if id.isEmpty {
            checker.add("id", .required)
        } else if id.count > EventSubmissionLimits.idMaximumLength {
            checker.add("id", .tooLong(maximum: EventSubmissionLimits.idMaximumLength))
        }
        let type = input.type?.trimmingBlanks ?? ""
        if type.isEmpty {
            checker.add("type", .required)
        } else if type.count > EventSubmissionLimits.typeMaximumLength {
            checker.add("type", .tooLong(maximum: EventSubmissionLimits.typeMaximumLength))
        } else if !ScoringEvent.isWellFormedType(type) {
            checker.add("type", .invalid)
        } else if !knownTypes.contains(type) {
            checker.add("type", .notInList)
        }
        var time = now
        if let text = input.occurredAt?.trimmingBlanks, !text.isEmpty {
            if let parsed = parseTime(text) {
                if parsed.timeIntervalSince(now) > EventSubmissionLimits.futureTolerance {
                    checker.add("occurred_at", .invalid)
                } else {
                    time = parsed
                }
            } else {
                checker.add("occurred_at", .invalid)
            }
        }
        let properties = input.properties ?? [:]
        for key in input.unreadableProperties.sorted() { checker.add(key.isEmpty ? "properties" : "properties." + key, .invalid) }
        if properties.count > EventSubmissionLimits.propertiesPerEvent {
            checker.add("properties", .tooLong(maximum: EventSubmissionLimits.propertiesPerEvent))
        } else {
            for key in properties.keys.sorted() where key.isEmpty || key.count > EventSubmissionLimits.propertyKeyMaximumLength {
                checker.add("properties." + key, .tooLong(maximum: EventSubmissionLimits.propertyKeyMaximumLength))
            }
            let bytes = properties.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
            if bytes > EventSubmissionLimits.propertyBytesPerEvent {
                checker.add("properties", .tooLong(maximum: EventSubmissionLimits.propertyBytesPerEvent))
            }
        }
        let anonymous = input.anonymousID?.trimmingBlanks ?? ""
        if anonymous.count > EventSubmissionLimits.anonymousIDMaximumLength {
            checker.add("anonymous_id", .tooLong(maximum: EventSubmissionLimits.anonymousIDMaximumLength))
        }
        let subject = self.subject(input, anonymous: anonymous, checker: &checker)
        guard checker.errors.isEmpty, let subject else { return .failure(ValidationFailure(checker.errors)) }
        let identifies: String? = if case .anonymous = subject { nil } else { anonymous.isEmpty ? nil : anonymous }
        return .success(EventSubmission(event: ScoringEvent(id: id, type: type, time: time, properties: properties), subject: subject,
                                        identifies: identifies))
    }

    /// Who did it: a contact by id or by email (not both), or else a visitor by anonymous id. An
    /// anonymous id sent with a contact identifies that visitor as the contact.
    private static func subject(_ input: EventSubmissionInput, anonymous: String, checker: inout FieldChecker) -> Subject? {
        let contact = input.contactID?.trimmingBlanks ?? "", email = input.email?.trimmingBlanks ?? ""
        if !contact.isEmpty, !email.isEmpty {
            checker.add("contact_id", .mismatch)
            checker.add("email", .mismatch)
            return nil
        }
        if !contact.isEmpty {
            guard let id = UUID(uuidString: contact) else { checker.add("contact_id", .invalid); return nil }
            return .contact(id)
        }
        if !email.isEmpty {
            guard let address = EmailAddress(email) else { checker.add("email", .invalid); return nil }
            return .email(address)
        }
        guard !anonymous.isEmpty else { checker.add("contact_id", .required); return nil }
        return .anonymous(anonymous)
    }

    /// An ISO 8601 time with a zone, with or without fractional seconds.
    static func parseTime(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

extension EventSubmission {
    /// What a web page may send with the workspace's public key (t.js): page views of a
    /// visitor, and the visitor naming itself by email.
    public static let publicTypes: Set<String> = [StandardEventType.pageView.rawValue, StandardEventType.identified.rawValue]

    /// Checks an event a web page sent with the public key. The key is public, so the page can
    /// only speak for its visitor: the anonymous id is required, a contact id is refused, and
    /// an email is taken only by `identified`, which needs one or the signed email link the
    /// visitor arrived by (property `link`, resolved by the caller).
    public static func checkPublic(_ input: EventSubmissionInput, now: Date) -> Result<EventSubmission, ValidationFailure> {
        var errors: [FieldError] = []
        if !(input.contactID ?? "").trimmingBlanks.isEmpty { errors.append(FieldError("contact_id", .invalid)) }
        if (input.anonymousID ?? "").trimmingBlanks.isEmpty { errors.append(FieldError("anonymous_id", .required)) }
        let hasEmail = !(input.email ?? "").trimmingBlanks.isEmpty
        if input.type?.trimmingBlanks == StandardEventType.identified.rawValue {
            if !hasEmail, (input.properties?["link"] ?? "").isEmpty { errors.append(FieldError("email", .required)) }
        } else if hasEmail {
            errors.append(FieldError("email", .invalid))
        }
        switch check(input, knownTypes: publicTypes, now: now) {
        case .success(let submission):
            return errors.isEmpty ? .success(submission) : .failure(ValidationFailure(errors))
        case .failure(let failure):
            let more = failure.errors.filter { error in !errors.contains { $0.field == error.field } }
            return .failure(ValidationFailure(errors + more))
        }
    }
}
