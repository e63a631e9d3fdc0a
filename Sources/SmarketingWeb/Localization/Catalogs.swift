/// The interface's strings, one catalog per language.
enum Catalogs {}
