import Plot

/// Every page is built from Plot nodes in the body context. Plot's typed element contexts
/// reject some valid nestings (a `<div>` inside a `<form>`, a `<select>` in a table cell), so
/// pages use these few generic builders; Plot still does the escaping and the rendering.
typealias HTMLNode = Node<HTML.BodyContext>

/// One HTML attribute; a nil value renders a boolean attribute (`required`, `checked`).
struct Attr: Sendable {
    let name: String
    let value: String?

    init(_ name: String, _ value: String?) {
        self.name = name
        self.value = value
    }

    static func `class`(_ value: String) -> Attr { Attr("class", value) }
    static func id(_ value: String) -> Attr { Attr("id", value) }
    static func href(_ value: String) -> Attr { Attr("href", value) }
    static func name(_ value: String) -> Attr { Attr("name", value) }
    static func type(_ value: String) -> Attr { Attr("type", value) }
    static func value(_ value: String) -> Attr { Attr("value", value) }
    static func data(_ key: String, _ value: String) -> Attr { Attr("data-\(key)", value) }
    static func aria(_ key: String, _ value: String) -> Attr { Attr("aria-\(key)", value) }
    static func flag(_ name: String) -> Attr { Attr(name, nil) }

    var node: HTMLNode {
        value.map { .attribute(named: name, value: Self.escaped($0), ignoreIfValueIsEmpty: false) } ?? .attribute(named: name)
    }

    /// Plot escapes text but writes attribute values as given: a `"` typed into a field and
    /// shown again in its `value` would end the attribute and open markup of the sender's
    /// choosing. Every value is escaped here instead.
    static func escaped(_ value: String) -> String {
        guard value.contains(where: { $0 == "&" || $0 == "\"" || $0 == "<" || $0 == ">" }) else { return value }
        var result = ""
        result.reserveCapacity(value.utf8.count + 16)
        for character in value {
            switch character {
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// Builds an element with attributes and children.
func el(_ name: String, _ attributes: [Attr] = [], _ children: [HTMLNode] = []) -> HTMLNode {
    .element(named: name, nodes: attributes.map(\.node) + children)
}

func el(_ name: String, _ attributes: [Attr] = [], text: String) -> HTMLNode {
    .element(named: name, nodes: attributes.map(\.node) + [.text(text)])
}

/// A void element (`<input/>`, `<meta/>`, `<link/>`). A boolean attribute is written with its
/// own name as value (`required="required"`), which HTML reads the same way.
func void(_ name: String, _ attributes: [Attr]) -> HTMLNode {
    .selfClosedElement(named: name, attributes: attributes.map {
        Attribute<HTML.BodyContext>.attribute(named: $0.name, value: Attr.escaped($0.value ?? $0.name))
    })
}

func text(_ value: String) -> HTMLNode { .text(value) }

/// Nodes shown only when a condition holds.
func when(_ condition: Bool, _ nodes: @autoclosure () -> [HTMLNode]) -> HTMLNode {
    condition ? .group(nodes()) : .empty
}

func group(_ nodes: [HTMLNode]) -> HTMLNode { .group(nodes) }
