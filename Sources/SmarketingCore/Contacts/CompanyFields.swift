/// The names of a company's own fields: CSV header, form field names and API keys. Custom
/// fields follow as `cf_<key>`.
public enum CompanyFields {
    public static let builtIn: [String] = ["name", "domain", "employee_count", "industry", "revenue_band", "country"]

    /// Limits, in characters.
    public static let nameMaximumLength = 200
    /// Industry and revenue band.
    public static let labelMaximumLength = 100

    public static let employeeCountRange = 0...10_000_000
}
