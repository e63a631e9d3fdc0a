/// The names of a contact's own fields. They are at once the CSV export header, the names of
/// form fields and the keys of the API; custom fields follow as `cf_<key>`.
public enum ContactFields {
    public static let builtIn: [String] = [
        "first_name", "last_name", "email", "phone", "job_title", "seniority", "birth_date", "age", "country",
        "source", "campaign", "last_source", "last_campaign", "company", "company_domain", "owner_email",
        "lifecycle_stage",
    ]

    /// Limits, in characters.
    public static let nameMaximumLength = 100
    public static let jobTitleMaximumLength = 150
    public static let phoneMaximumLength = 40
    /// Seniority, first and last source and campaign.
    public static let labelMaximumLength = 100
    public static let companyNameMaximumLength = 200

    public static let ageRange = 0...130
    /// Birth dates outside these years are typing mistakes. Without a clock, "in the past" cannot
    /// be checked here.
    public static let birthYears = 1900...2100

    /// Fields that say how a contact is handled rather than who it is: with nothing else, they do
    /// not make a contact.
    public static let handlingFields: Set<String> = ["owner_email", "lifecycle_stage"]

    /// The fields any one of which makes a contact (with custom fields).
    static let identifyingFields = builtIn.filter { !handlingFields.contains($0) }

    /// Fields holding free text that names something (a person, a job, a campaign). A CSV column
    /// with such a header but only numbers in it holds something else (the bank data set's
    /// `campaign` is a number of calls).
    public static let namingFields: Set<String> = [
        "first_name", "last_name", "job_title", "seniority", "source", "campaign", "last_source", "last_campaign", "company",
    ]

    /// Characters a phone number may hold besides digits.
    static let phoneSymbols: Set<Character> = [" ", "+", "-", "(", ")", "."]
}
