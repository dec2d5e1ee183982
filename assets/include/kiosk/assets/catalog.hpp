// Catalog: every text a user sees, looked up by key in a gettext .po file per language
// (assets/i18n/LANG.po), so translators work in the tools they already know. Plural
// entries (msgid_plural / msgstr[N]) pick their form by the language's plural rule.
#pragma once

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

} // namespace kiosk::assets
