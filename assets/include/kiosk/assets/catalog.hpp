// Catalog: every text a user sees, looked up by key in a gettext .po file per language
// (assets/i18n/LANG.po), so translators work in the tools they already know. Plural
// entries (msgid_plural / msgstr[N]) pick their form by the language's plural rule.
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiosk::assets {

// The folder holding i18n/ and other assets: $KIOSK_ASSETS_DIR when set, else the
// source tree's assets/ (development and tests).
std::filesystem::path assets_dir();

using Placeholders = std::vector<std::pair<std::string_view, std::string>>;

class Catalog {
public:
    // Reads a .po file. Returns nullopt and sets `error` (file and line) when it is broken
    // or its "Language:" header names a language without a known plural rule.
    static std::optional<Catalog> load(const std::filesystem::path& po_file, std::string& error);
    // Reads assets_dir()/i18n/LANG.po.
    static std::optional<Catalog> load_language(std::string_view language, std::string& error);

    // The translation of `key`; the key itself when missing, so a gap shows on screen and
    // the catalog test catches it, rather than an empty label.
    [[nodiscard]] std::string text(std::string_view key) const;
    // text(key) with each "{name}" replaced by its value.
    [[nodiscard]] std::string format(std::string_view key, const Placeholders& values) const;
    // The plural form of `key` for the count `n` (also available as "{n}"), formatted.
    [[nodiscard]] std::string plural(std::string_view key, long n,
                                     const Placeholders& values = {}) const;

    [[nodiscard]] bool contains(std::string_view key) const;
    [[nodiscard]] bool is_plural(std::string_view key) const;
    [[nodiscard]] std::size_t form_count(std::string_view key) const;
    [[nodiscard]] std::vector<std::string> keys() const;
    [[nodiscard]] const std::string& language() const { return language_; }

private:
    std::map<std::string, std::vector<std::string>, std::less<>> entries_; // forms; [0] if singular
    std::map<std::string, bool, std::less<>> plural_;
    std::string language_ = "en";
};

// The plural form index gettext uses for `n` in `language`, and how many forms there are.
// Rules are built in (en, pl, ru, he) rather than evaluated from the Plural-Forms header;
// the catalog test checks each shipped header agrees.
int plural_index(std::string_view language, long n);
int plural_form_count(std::string_view language); // 0 for an unknown language

std::string substitute(std::string text, const Placeholders& values);

// The languages the kiosk ships a catalog for, in the order the attract screen offers them.
inline constexpr std::array<std::string_view, 4> kShippedLanguages = {"en", "pl", "ru", "he"};

// Whether `language` is written right to left (its text is reordered and its layout mirrored).
bool is_right_to_left(std::string_view language);

// "2026-11-22T16:40:05Z" as `catalog`'s language writes a date and time ("22 November 2026,
// 16:40"), from its "date.format" and "date.month.N" entries. Text that is not an RFC 3339
// time comes back as it is.
std::string format_date_time(const Catalog& catalog, std::string_view rfc3339);

// Every shipped catalog, loaded once at start-up so that switching language never reads
// a file while someone is waiting.
class Catalogs {
public:
    // Loads assets_dir()/i18n/LANG.po for each of kShippedLanguages; nullopt and `error`
    // when one is missing or broken.
    static std::optional<Catalogs> load_shipped(std::string& error);

    [[nodiscard]] bool has(std::string_view language) const;
    // The catalog of `language`; the first shipped one (English) for a language not shipped.
    [[nodiscard]] const Catalog& of(std::string_view language) const;
    [[nodiscard]] std::vector<std::string> languages() const;

private:
    Catalogs() = default;
    std::vector<Catalog> catalogs_; // never empty
};

} // namespace kiosk::assets
