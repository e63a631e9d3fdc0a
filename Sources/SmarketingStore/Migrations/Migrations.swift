import FluentKit

/// Every migration of the product, in the order they run. Append only.
public enum StoreMigrations {
    public static let all: [any Migration] = [
        CreateWorkspacesAndUsers(),
        CreateAccessTables(),
        CreateContactsAndCompanies(),
        ContactDirectory(),
        CompanyLookupIndex(),
        ContactSearchWords(),
        CompanySearchWords(),
        CreateScoring(),
        CreateSQLQualifications(),
        ScoreLookupIndex(),
        EventsReceivedIndex(),
        CreateTrackingSites(),
        StageChangesRecentIndex(),
        CreateForms(),
        CreateJobs(),
        CreateHandoffs(),
        CreateWebhooks(),
        CreateOutboxMessages(),
        CreateSalesFollowUp(),
        CreateRouting(),
        IdentifiedVisitorsIndex(),
        ScoreKeyOnce(),
        CreateEventCounts(),
    ]
}
