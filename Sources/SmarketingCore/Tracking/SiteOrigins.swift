/// The web sites allowed to send page views with a workspace's public key: browsers name the
/// page's origin (`scheme://host[:port]`) on every cross-site request, and only these origins
/// get an answer they can read (CORS).
public enum SiteOrigins {
    public static let maximumCount = 20

    /// The origin of `text` in canonical form (lower case, default port dropped, no path), or
    /// nil when it is not an http(s) address with a host.
    public static func origin(_ text: String) -> String? {
        var rest = Substring(text.trimmingBlanks.lowercased())
        let scheme: String
        if rest.hasPrefix("https://") { scheme = "https"; rest = rest.dropFirst(8) }
        else if rest.hasPrefix("http://") { scheme = "http"; rest = rest.dropFirst(7) }
        else { return nil }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var host = Substring(authority), port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            host = authority[..<colon]
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
        }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-[]:")
        guard !host.isEmpty, host.allSatisfy({ allowed.contains($0) }), !host.hasPrefix("."), !host.hasSuffix(".") else { return nil }
        if let port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) {
            return "\(scheme)://\(host):\(port)"
        }
        return "\(scheme)://\(host)"
    }

    /// Origins one per line (or separated by commas or blanks), in canonical form, without
    /// repeats; the error names `allowed_origins`.
    public static func parse(_ text: String) -> Result<[String], ValidationFailure> {
        let parts = text.split { $0 == "\n" || $0 == "\r" || $0 == "," || $0 == " " || $0 == "\t" }.map(String.init)
        var origins: [String] = []
        for part in parts {
            guard let origin = origin(part) else { return .failure(ValidationFailure("allowed_origins", .invalid)) }
            if !origins.contains(origin) { origins.append(origin) }
        }
        guard origins.count <= maximumCount else { return .failure(ValidationFailure("allowed_origins", .tooLong(maximum: maximumCount))) }
        return .success(origins)
    }
}
