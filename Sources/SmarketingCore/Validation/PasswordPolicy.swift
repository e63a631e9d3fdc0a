/// What a password must be to be accepted. Passwords are never trimmed, but one made only of
/// blanks counts as missing.
///
/// bcrypt reads at most 72 bytes, so a longer password would silently lose its tail; it is
/// refused instead, with the limit named.
public enum PasswordPolicy {
    public static let minimumLength = 10
    public static let maximumBytes = 72

    public static func check(_ field: String, _ password: String?, into checker: inout FieldChecker) -> String? {
        guard let password, !password.allSatisfy({ $0.isWhitespace || $0.isNewline }) else {
            checker.add(field, .required)
            return nil
        }
        if password.count < minimumLength {
            checker.add(field, .tooShort(minimum: minimumLength))
            return nil
        }
        if password.utf8.count > maximumBytes {
            checker.add(field, .tooLong(maximum: maximumBytes))
            return nil
        }
        return password
    }
}
