// Catalog: every text a user sees, looked up by key in a gettext .po file per language
// (assets/i18n/LANG.po), so translators work in the tools they already know.
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

class Catalog {
public:
    // Reads a .po file. Returns nullopt and sets `error` (file and line) when it is broken.
    static std::optional<Catalog> load(const std::filesystem::path& po_file, std::string& error);
    // Reads assets_dir()/i18n/LANG.po.
    static std::optional<Catalog> load_language(std::string_view language, std::string& error);

    // The translation of `key`; the key itself when missing, so a gap shows on screen and
    // the catalog test catches it, rather than an empty label.
    [[nodiscard]] std::string text(std::string_view key) const;
    // text(key) with each "{name}" replaced by its value.
    [[nodiscard]] std::string
    format(std::string_view key,
           const std::vector<std::pair<std::string_view, std::string>>& values) const;

    [[nodiscard]] bool contains(std::string_view key) const;
    [[nodiscard]] std::vector<std::string> keys() const;

private:
    std::map<std::string, std::string, std::less<>> entries_;
};

} // namespace kiosk::assets
