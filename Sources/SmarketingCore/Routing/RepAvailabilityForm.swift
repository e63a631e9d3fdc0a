import Foundation

extension RepAvailability {
    /// Everything wrong with the availability, each error naming its field: `time_zone` not an
    /// IANA identifier, `capacity_per_day` or `capacity_per_week` outside ``capacityRange``, a
    /// week cap below the day cap, `out_of_office[i].to` before its `from`, too many absences.
    public func problems() -> [FieldError] {
        var checker = FieldChecker()
        if TimeZone(identifier: timeZone) == nil { checker.add("time_zone", .notInList) }
        if let capacityPerDay, !Self.capacityRange.contains(capacityPerDay) { checker.add("capacity_per_day", .invalid) }
        if let capacityPerWeek, !Self.capacityRange.contains(capacityPerWeek) {
            checker.add("capacity_per_week", .invalid)
        } else if let capacityPerWeek, let capacityPerDay, capacityPerWeek < capacityPerDay {
            checker.add("capacity_per_week", .invalid)
        }
        if outOfOffice.count > Self.maximumAbsences { checker.add("out_of_office", .tooLong(maximum: Self.maximumAbsences)) }
        for (index, absence) in outOfOffice.enumerated() where absence.to < absence.from {
            checker.add("out_of_office[\(index)].to", .invalid)
        }
        return checker.errors
    }
}

/// A rep's availability as the routing page's form writes it: `time_zone`, `takes_leads`
/// (`yes`), `capacity_per_day` and `capacity_per_week` (blank: no cap), `working_hours.monday`
/// ... `working_hours.sunday` as `09:00-18:00` (every day blank: any hour; otherwise a blank day
/// is a day off), and rows `out_of_office[i].from` / `out_of_office[i].to` (a row with both
/// blank, or with `remove` ticked, is skipped; a blank `to` is the same day as `from`).
public enum RepAvailabilityForm {
    public static func parse(_ fields: [String: String]) -> Result<RepAvailability, ValidationFailure> {
        var checker = FieldChecker()
        func text(_ name: String) -> String { (fields[name] ?? "").trimmingBlanks }
        func capacity(_ name: String) -> Int? {
            let raw = text(name)
            guard !raw.isEmpty else { return nil }
            guard let number = NumberText.parse(raw), number.rounded() == number, abs(number) < 1e9 else {
                checker.add(name, .notANumber)
                return nil
            }
            return Int(number)
        }
        var availability = RepAvailability(timeZone: text("time_zone"))
        if availability.timeZone.isEmpty { checker.add("time_zone", .required) }
        availability.takesLeads = text("takes_leads") == "yes"
        availability.capacityPerDay = capacity("capacity_per_day")
        availability.capacityPerWeek = capacity("capacity_per_week")
        var days: [Weekday: DayHours] = [:]
        for weekday in Weekday.allCases {
            let name = "working_hours." + weekday.rawValue
            let raw = text(name)
            guard !raw.isEmpty else { continue }
            if let hours = DayHours(parsing: raw) { days[weekday] = hours } else { checker.add(name, .invalid) }
        }
        let anyHours = Weekday.allCases.contains { !text("working_hours." + $0.rawValue).isEmpty }
        availability.workingHours = anyHours ? WorkingHours(days) : nil
        var absences: [Absence] = []
        var absencePaths: [String] = []
        for index in rowIndices("out_of_office", in: fields) {
            let path = "out_of_office[\(index)]"
            let fromText = text(path + ".from"), toText = text(path + ".to")
            guard text(path + ".remove") != "yes", !(fromText.isEmpty && toText.isEmpty) else { continue }
            guard let from = CalendarDay(parsing: fromText) else {
                checker.add(path + ".from", fromText.isEmpty ? .required : .notADate)
                continue
            }
            guard toText.isEmpty || CalendarDay(parsing: toText) != nil else {
                checker.add(path + ".to", .notADate)
                continue
            }
            absences.append(Absence(from: from, to: CalendarDay(parsing: toText) ?? from))
            absencePaths.append(path)
        }
        availability.outOfOffice = absences
        for problem in availability.problems() where !checker.errors.contains(where: { $0.field == problem.field }) {
            // An absence's error names the row the user typed it in, not its place in the kept list.
            if problem.field.hasPrefix("out_of_office["), let index = Int(problem.field.dropFirst("out_of_office[".count).prefix { $0.isNumber }),
               index < absencePaths.count {
                checker.add(absencePaths[index] + ".to", problem.code)
            } else if !(problem.field == "time_zone" && availability.timeZone.isEmpty) {
                checker.add(problem.field, problem.code)
            }
        }
        return checker.errors.isEmpty ? .success(availability) : .failure(ValidationFailure(checker.errors))
    }

    /// The form's fields for an availability, the inverse of ``parse(_:)``.
    public static func fields(of availability: RepAvailability) -> [String: String] {
        var fields: [String: String] = [
            "time_zone": availability.timeZone,
            "takes_leads": availability.takesLeads ? "yes" : "",
            "capacity_per_day": availability.capacityPerDay.map(String.init) ?? "",
            "capacity_per_week": availability.capacityPerWeek.map(String.init) ?? "",
        ]
        for weekday in Weekday.allCases {
            fields["working_hours." + weekday.rawValue] = availability.workingHours?.days[weekday]?.text ?? ""
        }
        for (index, absence) in availability.outOfOffice.enumerated() {
            fields["out_of_office[\(index)].from"] = absence.from.iso
            fields["out_of_office[\(index)].to"] = absence.to.iso
        }
        return fields
    }

    /// The row numbers a form used for a list of rows (`out_of_office[3].from` is row 3), sorted.
    public static func rowIndices(_ list: String, in fields: [String: String]) -> [Int] {
        var found = Set<Int>()
        for name in fields.keys where name.hasPrefix(list + "[") {
            let rest = name.dropFirst(list.count + 1)
            if let close = rest.firstIndex(of: "]"), let index = Int(rest[..<close]), index >= 0, index < 1000 { found.insert(index) }
        }
        return found.sorted()
    }
}

/// How much of a team's leads a rep gets, relative to the others: weights 2 and 1 give two
/// leads to one.
public enum RoutingWeight {
    public static let range = 1...100
    public static let standard = 1

    /// Reads a typed weight; nil after recording the error on `field`.
    public static func check(_ field: String, _ text: String?, into checker: inout FieldChecker) -> Int? {
        let raw = (text ?? "").trimmingBlanks
        guard !raw.isEmpty else {
            checker.add(field, .required)
            return nil
        }
        guard let number = NumberText.parse(raw), number.rounded() == number, abs(number) < 1e9 else {
            checker.add(field, .notANumber)
            return nil
        }
        guard range.contains(Int(number)) else {
            checker.add(field, .invalid)
            return nil
        }
        return Int(number)
    }
}
