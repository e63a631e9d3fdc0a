import Fluent
import SmarketingCore
import SmarketingStore
import Vapor

/// `smarketing demo`: creates a workspace full of realistic demo data (both teams, companies,
/// contacts in every stage) so that a newcomer sees a living product.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "contacts", short: "c", help: "How many contacts to create (default 2000; up to 1000000)")
        var contacts: Int?

        @Option(name: "password", short: "p", help: "Password of every demo user (default: smarketing-demo)")
        var password: String?

        @Option(name: "domain", help: "Email domain of the demo users (default: demo.smarketing.test)")
        var domain: String?

        @Option(name: "seed", help: "Random seed, for the same data every time (default 42)")
        var seed: Int?
    }

    var help: String { "Creates a demo workspace with users of both teams, companies, contacts, activities, tasks and deals." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let count = signature.contacts ?? 2000
        guard (0...1_000_000).contains(count) else {
            throw ValidationFailure("contacts", .tooLong(maximum: 1_000_000))
        }
        let password = signature.password ?? "smarketing-demo"
        var checker = FieldChecker()
        _ = PasswordPolicy.check("password", password, into: &checker)
        try checker.throwIfAny()
        let domain = signature.domain ?? "demo.smarketing.test"
        let demo = DemoWorkspace.make(seed: UInt64(signature.seed ?? 42), contactCount: count, emailDomain: domain)
        let hash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.any()).hash(password)
        let console = context.console
        let summary: DemoSeeder.Summary
        do {
            summary = try await DemoSeeder(app.db).seed(demo, passwordHash: hash, now: app.clock.now()) { written, total in
                if written == total || written % 10_000 == 0 {
                    console.print("  \(written) of \(total) companies and contacts written")
                }
            }
        } catch let failure as ValidationFailure where failure.errors.contains(where: { $0.code == .alreadyTaken }) {
            console.error("The demo users of \(domain) already exist. Run again with another --domain, e.g. --domain demo2.smarketing.test")
            throw failure
        }
        console.print("Demo workspace \"\(summary.workspace.settings.name)\" is ready: \(summary.users.count) users, \(summary.companies) companies, \(summary.contacts) contacts, \(summary.activities) activities, \(summary.tasks) tasks, \(summary.deals) deals.")
        console.print("Sign in as any of these, password \"\(password)\":")
        for user in summary.users {
            console.print("  \(user.email.value)  (\(user.roles.sorted().map(\.rawValue).joined(separator: ", ")))")
        }
    }
}
